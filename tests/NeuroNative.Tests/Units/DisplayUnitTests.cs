using NeuroNative.Models.Units;
using Xunit;

namespace NeuroNative.Tests.Units;

[Trait("Category", "CodegenIndependent")]
public sealed class DisplayUnitTests
{
    [Theory]
    [InlineData("amp", "amp")]
    [InlineData("siemens", "siemens")]
    [InlineData("siemens/metre**2", "siemens/metre**2")]
    [InlineData("metre ** -2 * kilogram ** -1 * second ** 3 * amp ** 2", "siemens")] // Brian's repr of siemens
    [InlineData("volt / (second * amp)", "farad**-1")]
    [InlineData("Hz", "Hz")]
    [InlineData("1", "1")]
    [InlineData("", "1")]
    public void ReadsBrianUnitText(string text, string expected)
    {
        Assert.True(UnitRegistry.TryParseDimension(text, out var dimension));
        Assert.Equal(expected, dimension.ToBrianString());
    }

    [Theory]
    [InlineData("mV")]        // a scale other than 1: the values would not be SI
    [InlineData("furlong")]
    [InlineData("amp *")]
    [InlineData("(amp")]
    [InlineData("amp ** x")]
    public void RefusesWhatIsNotACoherentUnit(string text) => Assert.False(UnitRegistry.TryParseDimension(text, out _));

    [Theory]
    [InlineData("amp", 2e-11, "pA", 1e-12)]
    [InlineData("siemens", 2e-5, "μS", 1e-6)]
    [InlineData("volt", 0.05, "mV", 1e-3)]
    [InlineData("second", 10, "s", 1)]
    [InlineData("Hz", 1500, "kHz", 1e3)]
    [InlineData("amp", 0, "A", 1)]
    [InlineData("metre ** -2 * kilogram ** -1 * second ** 3 * amp ** 2", 2e-8, "nS", 1e-9)]
    [InlineData("siemens/metre**2", 30, "siemens/metre**2", 1)]
    public void PicksAReadablePrefix(string unit, double magnitude, string symbol, double scale)
    {
        Assert.True(UnitRegistry.TryParseDimension(unit, out var dimension));
        Assert.Equal(new DisplayUnit(symbol, scale), UnitRegistry.DisplayUnitFor(dimension, magnitude));
    }
}
