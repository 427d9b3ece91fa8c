using ChannelGrains.Api.Demo;

namespace ChannelGrains.Tests.Api;

public sealed class DemoArgumentsTests
{
    [Fact]
    public void Bare_demo_flag_enables_the_demo_and_other_arguments_pass_through()
    {
        Assert.Equal(["--urls", "http://127.0.0.1:1", "--Demo:Enabled=true"], DemoArguments.ToConfiguration(["--urls", "http://127.0.0.1:1", "--demo"]));
    }

    [Fact]
    public void Demo_options_take_their_value_after_a_space_or_an_equals_sign()
    {
        Assert.Equal(["--Demo:Enabled=true", "--Demo:Rate=50", "--Demo:MonthToDateOrders=10"],
            DemoArguments.ToConfiguration(["--demo", "--demo-rate", "50", "--demo-month-to-date-orders=10"]));
    }

    [Fact]
    public void A_demo_option_without_a_value_is_refused()
    {
        Assert.Throws<ArgumentException>(() => DemoArguments.ToConfiguration(["--demo-rate"]));
    }
}
