using NeuroNative.Fitting.Optimizers;
using Xunit;

namespace NeuroNative.Tests.Fitting.Optimizers;

public class ParameterSpaceTests
{
    [Fact]
    public void UnitCoordinatesMapLinearlyOrGeometrically()
    {
        var space = new ParameterSpace(new Parameter("v", -80e-3, -40e-3), new Parameter("g", 1e-9, 1e-7, LogScale: true));
        Assert.Equal([-80e-3, 1e-9], space.FromUnit([0, 0]));
        var top = space.FromUnit([1, 1]);
        Assert.Equal(-40e-3, top[0], 1e-17);
        Assert.Equal(1e-7, top[1], 1e-22);
        var middle = space.FromUnit([0.5, 0.5]);
        Assert.Equal(-60e-3, middle[0], 1e-17);
        Assert.Equal(1e-8, middle[1], 1e-23);
        var clamped = space.FromUnit([-0.5, 1.5]);
        Assert.Equal(-80e-3, clamped[0]);
        Assert.InRange(clamped[1], 1e-7 * (1 - 1e-15), 1e-7);
    }

    [Theory]
    [InlineData("a", 1.0, 1.0, false, "Parameter 'a' needs finite bounds with lower < upper; got [1, 1].")]
    [InlineData("a", 2.0, 1.0, false, "Parameter 'a' needs finite bounds")]
    [InlineData("a", 0.0, double.PositiveInfinity, false, "Parameter 'a' needs finite bounds")]
    [InlineData("a", double.NaN, 1.0, false, "Parameter 'a' needs finite bounds")]
    [InlineData("g", 0.0, 1.0, true, "Parameter 'g' is on a log scale, so its lower bound must be positive; got 0.")]
    [InlineData(" ", 0.0, 1.0, false, "A parameter has an empty name.")]
    public void BadBoundsAreRefusedNamingTheParameter(string name, double lower, double upper, bool log, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new ParameterSpace(new Parameter(name, lower, upper, log)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void NamesAreUniqueAndAtLeastOne()
    {
        Assert.Contains("Parameter 'a' is given twice.",
            Assert.Throws<ArgumentException>(() => new ParameterSpace(new Parameter("a", 0, 1), new Parameter("a", 0, 2))).Message);
        Assert.Contains("at least one parameter", Assert.Throws<ArgumentException>(() => new ParameterSpace()).Message);
        Assert.Contains("Expected 1 unit coordinates; got 2",
            Assert.Throws<ArgumentException>(() => new ParameterSpace(new Parameter("a", 0, 1)).FromUnit([0.5, 0.5])).Message);
    }
}
