namespace ChannelGrains.Analytics;

/// <summary>
/// A silo's <see cref="ContributionBuffer"/>, for callers outside the silo: a stateless worker, so the call lands on
/// one silo and is handed to that silo's buffer. Grains in a silo hand their contributions to it directly.
/// </summary>
[Alias("ChannelGrains.Analytics.IContributionBufferGrain")]
public interface IContributionBufferGrain : IGrainWithIntegerKey
{
    [Alias("Accept")] Task AcceptAsync(IReadOnlyList<Contribution> contributions);
}
