using ChannelGrains.Common;

namespace ChannelGrains.Tests.Rules;

public sealed class RisingVersionsTests
{
    [Fact]
    public void An_activation_starts_at_the_stored_floor_when_the_clock_is_behind_it_and_at_the_clock_without_one()
    {
        var now = TimeProvider.System.GetUtcNow().UtcTicks;
        var floor = RisingVersions.FloorAbove(now + TimeSpan.TicksPerHour);

        Assert.Equal(floor, RisingVersions.Start(floor, TimeProvider.System));
        // A state stored before there were floors: the clock, as versions were before.
        Assert.InRange(RisingVersions.Start(0, TimeProvider.System), now, TimeProvider.System.GetUtcNow().UtcTicks);
    }

    [Fact]
    public void The_floor_is_stored_again_once_half_the_room_below_it_is_used()
    {
        var start = 1_000L;
        var floor = RisingVersions.FloorAbove(start);

        Assert.False(RisingVersions.NearFloor(start, floor));
        Assert.False(RisingVersions.NearFloor(start + RisingVersions.Ahead / 2, floor));
        Assert.True(RisingVersions.NearFloor(start + RisingVersions.Ahead / 2 + 1, floor));
        // Stored again at that version, the floor has the whole room above it again.
        Assert.False(RisingVersions.NearFloor(start + RisingVersions.Ahead / 2 + 1, RisingVersions.FloorAbove(start + RisingVersions.Ahead / 2 + 1)));
    }
}
