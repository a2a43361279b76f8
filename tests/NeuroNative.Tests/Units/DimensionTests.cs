using NeuroNative.Models.Units;
using Xunit;

namespace NeuroNative.Tests.Units;

public class DimensionTests
{
    private static Dimension Of(string unitName)
    {
        Assert.True(UnitRegistry.TryLookup(unitName, out var unit));
        return unit.Dimension;
    }

    [Fact]
    public void BaseDimensionsIndexInSiOrder()
    {
        Dimension[] bases =
        [
            Dimension.Length, Dimension.Mass, Dimension.Time, Dimension.Current,
            Dimension.Temperature, Dimension.Amount, Dimension.Luminosity,
        ];
        for (int i = 0; i < bases.Length; i++)
            for (int j = 0; j < Dimension.BaseCount; j++)
                Assert.Equal(i == j ? 1.0 : 0.0, bases[i][j]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dimension.Length[7]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dimension.Length[-1]);
    }

    [Fact]
    public void DimensionlessIsTheDefault()
    {
        Assert.True(default(Dimension).IsDimensionless);
        Assert.True((Dimension.Length / Dimension.Length).IsDimensionless);
        Assert.False(Dimension.Time.IsDimensionless);
    }

    [Fact]
    public void FractionalPowersRoundTrip()
    {
        var volt = Of("volt");
        Assert.Equal(volt, volt.Pow(0.5).Pow(2));
        Assert.Equal(volt, volt.Pow(1.0 / 3).Pow(3));
        Assert.Equal(volt.GetHashCode(), volt.Pow(1.0 / 3).Pow(3).GetHashCode());
        var xi = Dimension.Time.Pow(-0.5);
        Assert.Equal(Dimension.Time.Pow(-1), xi * xi);
        Assert.True(Dimension.Time.Pow(0.5) != Dimension.Time);
    }

    [Fact]
    public void NegativeZeroExponentsEqualZero()
    {
        var negativeZero = new Dimension(-0.0, 0, 0, 0, 0, 0, 0);
        Assert.Equal(Dimension.Dimensionless, negativeZero);
        Assert.Equal(Dimension.Dimensionless.GetHashCode(), negativeZero.GetHashCode());
    }

    [Theory]
    [InlineData("volt", "m^2 kg s^-3 A^-1")]
    [InlineData("amp", "A")]
    [InlineData("siemens", "m^-2 kg^-1 s^3 A^2")]
    [InlineData("farad", "m^-2 kg^-1 s^4 A^2")]
    [InlineData("Hz", "s^-1")]
    [InlineData("mM", "m^-3 mol")]
    [InlineData("lux", "m^-2 cd")]
    [InlineData("kelvin", "K")]
    [InlineData("radian", "1")]
    public void BaseStringMatchesBrian(string unitName, string expected) =>
        Assert.Equal(expected, Of(unitName).ToBaseString());

    [Fact]
    public void BaseStringWritesFractionalExponents() =>
        Assert.Equal("s^-0.5", Dimension.Time.Pow(-0.5).ToBaseString());

    public static TheoryData<Dimension, string> BrianStrings => new()
    {
        { Dimension.Dimensionless, "1" },
        { Of("volt"), "volt" },
        { Of("amp"), "amp" },
        { Of("siemens"), "siemens" },
        { Of("farad"), "farad" },
        { Of("second"), "second" },
        { Of("kilogram"), "kilogram" },
        { Of("hertz"), "Hz" },
        { Of("becquerel"), "Hz" },
        { Of("weber"), "weber" },
        { Of("volt") / Of("second"), "volt/second" },
        { Of("amp") / Of("second"), "amp/second" },
        { Of("siemens") / Of("metre2"), "siemens/metre**2" },
        { Of("farad") / Of("metre2"), "farad/metre**2" },
        { Of("amp") / Of("metre2"), "amp/metre**2" },
        { Of("mM"), "mole/metre**3" },
        { Of("mM") / Of("second"), "mole / (metre**3 * second)" },
        { Of("volt").Pow(-1), "volt**-1" },
        { Of("volt").Pow(2), "volt**2" },
        { Of("volt") * Dimension.Time.Pow(-0.5), "volt/second**0.5" },
        { Dimension.Time.Pow(-0.5), "second**-0.5" },
        { Dimension.Time.Pow(-2), "second**-2" },
        { Of("metre2"), "metre**2" },
        { Of("metre") / Of("second"), "metre/second" },
        { Of("ohm") * Of("metre"), "ohm*metre" },
        { Of("gray"), "joule/kilogram" },
        { Of("volt") / Of("metre"), "volt/metre" },
        { Of("volt") * Of("metre"), "volt*metre" },
        { Of("volt") * Of("metre") / Of("second"), "metre**3 * kilogram / (second**4 * amp)" },
        { Dimension.Length * Dimension.Temperature, "metre*kelvin" },
        { Dimension.Current.Pow(-1) * Dimension.Length.Pow(-1) * Dimension.Time.Pow(-1), "1 / (metre * second * amp)" },
    };

    [Theory]
    [MemberData(nameof(BrianStrings))]
    public void BrianStringIsReadable(Dimension dimension, string expected)
    {
        Assert.Equal(expected, dimension.ToBrianString());
        Assert.Equal(expected, UnitRegistry.Format(dimension));
        Assert.Equal(expected, dimension.ToString());
    }
}
