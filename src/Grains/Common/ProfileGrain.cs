namespace ChannelGrains.Common;

/// <summary>Master data that validates itself; the id is the integrator's id, the last part of the grain key.</summary>
public interface IProfile<TSelf> where TSelf : IProfile<TSelf>
{
    string Id { get; }

    /// <summary>This input, normalized, or a <see cref="ChannelException"/> naming the bad field.</summary>
    TSelf Validated();
}

/// <summary>A grain holding one master-data record (agent, rep, store).</summary>
[Alias("ChannelGrains.IProfileGrain`1")]
public interface IProfileGrain<TInfo> : IGrainWithStringKey
{
    [Alias("Get")] Task<TInfo?> GetAsync();

    [Alias("Upsert")] Task<TInfo> UpsertAsync(TInfo info);
}

[GenerateSerializer, Alias("ChannelGrains.ProfileState`1")]
public sealed class ProfileState<TInfo>
{
    [Id(0)] public TInfo? Info { get; set; }
}

/// <summary>A grain whose state is one master-data record: upsert replaces it, get reads it.</summary>
public abstract class ProfileGrain<TInfo>(IPersistentState<ProfileState<TInfo>> state) : Grain
    where TInfo : class, IProfile<TInfo>
{
    protected TInfo? Current => state.State.Info;

    public Task<TInfo?> GetAsync() => Task.FromResult(state.State.Info);

    public async Task<TInfo> UpsertAsync(TInfo info)
    {
        var validated = info.Validated();
        if (validated.Id != Keys.Split(this.GetPrimaryKeyString()).Id)
            throw ChannelException.Validation("id does not match the record addressed.");
        if (!Equals(state.State.Info, validated))
        {
            state.State.Info = validated;
            await state.PersistAsync(this);
        }
        return validated;
    }
}
