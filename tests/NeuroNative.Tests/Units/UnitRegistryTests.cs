using System.Globalization;
using NeuroNative.Models.Units;
using Xunit;

namespace NeuroNative.Tests.Units;

public class UnitRegistryTests
{
    private static readonly Dimension Volt = new(2, 1, -3, -1, 0, 0, 0);

    private static Quantity Unit(string name)
    {
        Assert.True(UnitRegistry.TryLookup(name, out var unit), $"'{name}' should be a unit");
        return unit;
    }

    private static void AssertUnit(string name, double value, Dimension dimension)
    {
        var unit = Unit(name);
        Assert.Equal(value, unit.Value);
        Assert.Equal(dimension, unit.Dimension);
    }

    [Theory]
    [InlineData("mV", "mvolt")]
    [InlineData("mA", "mamp")]
    [InlineData("uA", "uamp")]
    [InlineData("nA", "namp")]
    [InlineData("pA", "pamp")]
    [InlineData("nF", "nfarad")]
    [InlineData("pF", "pfarad")]
    [InlineData("uF", "ufarad")]
    [InlineData("mS", "msiemens")]
    [InlineData("nS", "nsiemens")]
    [InlineData("uS", "usiemens")]
    [InlineData("ms", "msecond")]
    [InlineData("us", "usecond")]
    [InlineData("mM", "mmolar")]
    [InlineData("uM", "umolar")]
    [InlineData("nM", "nmolar")]
    [InlineData("mm", "mmetre")]
    [InlineData("mm2", "mmetre2")]
    [InlineData("mm3", "mmetre3")]
    [InlineData("cm", "cmetre")]
    [InlineData("um", "umetre")]
    [InlineData("um2", "umetre2")]
    [InlineData("um3", "umetre3")]
    [InlineData("Hz", "hertz")]
    [InlineData("kHz", "khertz")]
    [InlineData("MHz", "Mhertz")]
    public void ShortFormsEqualTheirLongNames(string shortForm, string longName) =>
        Assert.Equal(Unit(longName), Unit(shortForm));

    [Fact]
    public void PrefixedValuesAreExactPowersOfTen()
    {
        AssertUnit("mV", 1e-3, Volt);
        AssertUnit("ufarad", 1e-6, new Dimension(-2, -1, 4, 2, 0, 0, 0));
        AssertUnit("msiemens", 1e-3, new Dimension(-2, -1, 3, 2, 0, 0, 0));
        AssertUnit("Mohm", 1e6, new Dimension(2, 1, -3, -2, 0, 0, 0));
        AssertUnit("kHz", 1e3, Dimension.Time.Pow(-1));
        AssertUnit("nsecond", 1e-9, Dimension.Time);
        AssertUnit("kgram", 1, Dimension.Mass);
        AssertUnit("mgram", 1e-6, Dimension.Mass);
    }

    [Fact]
    public void PowerSuffixesScaleTheWholeUnit()
    {
        // Brian scales powers by exponent (10**-4), which is not the same double as 0.01*0.01.
        AssertUnit("cm2", 1e-4, Dimension.Length.Pow(2));
        AssertUnit("um2", 1e-12, Dimension.Length.Pow(2));
        AssertUnit("cm3", 1e-6, Dimension.Length.Pow(3));
        AssertUnit("metre3", 1, Dimension.Length.Pow(3));
        AssertUnit("msiemens2", 1e-6, new Dimension(-4, -2, 6, 4, 0, 0, 0));
    }

    [Fact]
    public void MolarIsMolePerLitre()
    {
        var concentration = Dimension.Amount / Dimension.Length.Pow(3);
        AssertUnit("molar", 1000, concentration);
        AssertUnit("mM", 1, concentration);
        AssertUnit("uM", 1e-3, concentration);
        AssertUnit("litre", 1e-3, Dimension.Length.Pow(3));
        AssertUnit("liter", 1e-3, Dimension.Length.Pow(3));
        AssertUnit("mlitre", 1e-6, Dimension.Length.Pow(3));
        AssertUnit("dalitre", 1e-2, Dimension.Length.Pow(3));
    }

    [Theory]
    [InlineData("metre")] [InlineData("meter")] [InlineData("gram")] [InlineData("gramme")]
    [InlineData("kilogram")] [InlineData("kilogramme")] [InlineData("second")] [InlineData("amp")]
    [InlineData("ampere")] [InlineData("kelvin")] [InlineData("mole")] [InlineData("mol")]
    [InlineData("candle")] [InlineData("molar")] [InlineData("litre")] [InlineData("liter")]
    [InlineData("radian")] [InlineData("steradian")] [InlineData("hertz")] [InlineData("newton")]
    [InlineData("pascal")] [InlineData("joule")] [InlineData("watt")] [InlineData("coulomb")]
    [InlineData("volt")] [InlineData("farad")] [InlineData("ohm")] [InlineData("siemens")]
    [InlineData("weber")] [InlineData("tesla")] [InlineData("henry")] [InlineData("lumen")]
    [InlineData("lux")] [InlineData("becquerel")] [InlineData("gray")] [InlineData("sievert")]
    [InlineData("katal")] [InlineData("metre2")] [InlineData("kelvin3")] [InlineData("umetre3")]
    [InlineData("hlitre")] [InlineData("cmeter")] [InlineData("Ykatal3")]
    public void BrianNamesExist(string name) => Assert.True(UnitRegistry.TryLookup(name, out _));

    [Theory]
    [InlineData("ns")] [InlineData("uV")] [InlineData("cmetre2")] [InlineData("kg")] [InlineData("g")]
    [InlineData("candela")] [InlineData("kkilogram")] [InlineData("mkelvin")] [InlineData("litre2")]
    [InlineData("cvolt")] [InlineData("dsecond")] [InlineData("celsius")] [InlineData("MV")]
    [InlineData("mv")] [InlineData("Volt")] [InlineData("")]
    public void NonBrianNamesDoNotExist(string name)
    {
        Assert.False(UnitRegistry.TryLookup(name, out _));
        Assert.DoesNotContain(name, UnitRegistry.AllNames);
    }

    /// <summary>tests/data/units/brian2_unit_names.csv, made by running Brian 2.5.1 (see its PROVENANCE.md):
    /// the names are exactly Brian's, each with Brian's value to the bit and its dimension.</summary>
    [Fact]
    public void AllNamesAreBriansWithBriansValues()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "units", "brian2_unit_names.csv"));
        Assert.Equal("name,value,m,kg,s,A,K,mol,cd,source", lines[0]);
        var brian = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(1713, brian.Count);
        Assert.Equal(brian.Select(f => f[0]).Order(StringComparer.Ordinal), UnitRegistry.AllNames);
        Assert.All(brian, f =>
        {
            var n = f[1..9].Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            AssertUnit(f[0], n[0], new Dimension(n[1], n[2], n[3], n[4], n[5], n[6], n[7]));
        });
    }

    [Theory]
    [InlineData("volt")] [InlineData("siemens")] [InlineData("Hz")] [InlineData("hertz")]
    [InlineData("metre")] [InlineData("meter")] [InlineData("amp")] [InlineData("second")]
    [InlineData("mM")] [InlineData("mmolar")] [InlineData("kgram")] [InlineData("kilogram")]
    [InlineData("klitre")] [InlineData("radian")] [InlineData("mol")] [InlineData("becquerel")]
    public void BaseUnitNames(string name) => Assert.True(UnitRegistry.IsBaseUnitName(name));

    [Theory]
    [InlineData("mV")] [InlineData("ms")] [InlineData("cm")] [InlineData("molar")] [InlineData("gram")]
    [InlineData("litre")] [InlineData("metre2")] [InlineData("kHz")] [InlineData("nS")] [InlineData("bogus")]
    public void NotBaseUnitNames(string name) => Assert.False(UnitRegistry.IsBaseUnitName(name));

    [Theory]
    [InlineData("mV", "volt")]
    [InlineData("ms", "second")]
    [InlineData("cm", "metre")]
    [InlineData("kmeter", "metre")]
    [InlineData("nS", "siemens")]
    [InlineData("ufarad", "farad")]
    [InlineData("kHz", "hertz")]
    [InlineData("Mbecquerel", "hertz")]
    [InlineData("mmol", "mole")]
    [InlineData("molar", "mmolar")]
    [InlineData("gram", "kilogram")]
    [InlineData("mradian", "radian")]
    [InlineData("cm2", "metre ** 2")]
    [InlineData("litre", "metre ** 3")]
    [InlineData("kelvin2", "kelvin ** 2")]
    [InlineData("mvolt2", "metre ** 4 * kilogram ** 2 * second ** -6 * amp ** -2")]
    public void BaseNameForIsBriansSuggestion(string name, string expected) =>
        Assert.Equal(expected, UnitRegistry.BaseNameFor(name));

    [Theory]
    [InlineData("volt")] [InlineData("Hz")] [InlineData("mM")] [InlineData("bogus")] [InlineData("cmetre2")]
    public void BaseNameForIsNullForBaseOrUnknownNames(string name) => Assert.Null(UnitRegistry.BaseNameFor(name));

    [Fact]
    public void DerivedUnitsHaveTheRightDimensions()
    {
        Assert.Equal(Unit("watt") / Unit("amp"), Unit("volt"));
        Assert.Equal(Unit("volt") / Unit("amp"), Unit("ohm"));
        Assert.Equal(1 / Unit("ohm"), Unit("siemens"));
        Assert.Equal(Unit("coulomb") / Unit("volt"), Unit("farad"));
        Assert.Equal(Unit("amp") * Unit("second"), Unit("coulomb"));
        Assert.Equal(1 / Unit("second"), Unit("Hz"));
        Assert.Equal(Unit("joule") / Unit("second"), Unit("watt"));
        Assert.Equal(Unit("volt") * Unit("second"), Unit("weber"));
        Assert.Equal(Unit("weber") / Unit("metre2"), Unit("tesla"));
        Assert.Equal(Unit("weber") / Unit("amp"), Unit("henry"));
        Assert.Equal(Unit("newton") / Unit("metre2"), Unit("pascal"));
        Assert.Equal(Unit("candle"), Unit("lumen"));
        Assert.Equal(Unit("mole") / Unit("second"), Unit("katal"));
        Assert.Equal(Unit("sievert"), Unit("gray"));
        Assert.Equal(Dimension.Dimensionless, Unit("steradian").Dimension);
    }

    [Fact]
    public void NullNamesAreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => UnitRegistry.TryLookup(null!, out _));
        Assert.Throws<ArgumentNullException>(() => UnitRegistry.IsBaseUnitName(null!));
        Assert.Throws<ArgumentNullException>(() => UnitRegistry.BaseNameFor(null!));
    }
}
