namespace ChannelGrains.Common;

/// <summary>
/// Versions that rise across a grain's activations, whatever the clocks of the silos they ran on. Readers keep the
/// highest version they were given and ignore a lower one as older, so an activation that started below its
/// predecessor's versions (on a silo whose clock is behind the dead one's, or after the clock stepped back) would go
/// unheard until its count caught up. So an activation starts at the floor its predecessor stored, stores a floor
/// <see cref="Ahead"/> above its start before it hands out a version, counts up by one, and stores the floor again
/// before its versions come near it. The clock counts only for a state stored before there were floors; after that
/// the versions no longer follow it (an activation starts at the last floor, 2^32 ticks or about 7 minutes above the
/// versions before it), and nothing reads them as a time.
/// </summary>
public static class RisingVersions
{
    /// <summary>How far a stored floor is above the version it was stored at: far more versions than a grain hands out between two writes.</summary>
    public const long Ahead = 1L << 32;

    /// <summary>The first version of an activation, from the floor its predecessors stored (0 when none did).</summary>
    public static long Start(long storedFloor, TimeProvider clock) => Math.Max(storedFloor, clock.GetUtcNow().UtcTicks);

    /// <summary>The floor to store while the grain is at <paramref name="version"/>.</summary>
    public static long FloorAbove(long version) => version + Ahead;

    /// <summary>True once <paramref name="version"/> has used half the room below the stored floor: time to store it again.</summary>
    public static bool NearFloor(long version, long storedFloor) => version > storedFloor - Ahead / 2;
}
