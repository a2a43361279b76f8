using NeuroNative.Models.Units;
using Xunit;

namespace NeuroNative.Tests.Units;

public class QuantityTests
{
    private static Quantity Unit(string name)
    {
        Assert.True(UnitRegistry.TryLookup(name, out var unit));
        return unit;
    }

    [Fact]
    public void ArithmeticCombinesValuesAndDimensions()
    {
        var current = 2 * Unit("nS") * (10 * Unit("mV"));
        Assert.Equal(2e-9 * 1e-2, current.Value, 1e-30);
        Assert.Equal(Unit("amp").Dimension, current.Dimension);

        var rate = (20 * Unit("mV")) / (10 * Unit("ms"));
        Assert.Equal(2.0, rate.Value, 1e-15);
        Assert.Equal("volt/second", rate.Dimension.ToBrianString());

        Assert.Equal(Unit("Hz"), 1 / Unit("second"));
        Assert.Equal(0.5 * Unit("volt"), Unit("volt") / 2);
        Assert.Equal(new Quantity(-3, Unit("volt").Dimension), -(3 * Unit("volt")));
    }

    [Fact]
    public void AdditionNeedsEqualDimensions()
    {
        var sum = Unit("mV") + Unit("volt");
        Assert.Equal(1.001, sum.Value, 1e-15);
        Assert.Equal(Unit("volt").Dimension, (Unit("volt") - Unit("mV")).Dimension);

        var error = Assert.Throws<InvalidOperationException>(() => Unit("volt") + Unit("amp"));
        Assert.Contains("volt", error.Message);
        Assert.Contains("amp", error.Message);
        Assert.Throws<InvalidOperationException>(() => Unit("volt") - Quantity.Dimensionless(1));
    }

    [Fact]
    public void PowRaisesValueAndDimension()
    {
        var area = (10 * Unit("um")).Pow(2);
        Assert.Equal(1e-10, area.Value, 1e-25);
        Assert.Equal(Unit("metre2").Dimension, area.Dimension);

        var noiseScale = Unit("second").Pow(-0.5);
        Assert.Equal(Dimension.Time.Pow(-0.5), noiseScale.Dimension);
    }

    [Fact]
    public void ToStringShowsSiValueAndUnit()
    {
        Assert.Equal("0.02 volt", (20 * Unit("mV")).ToString());
        Assert.Equal("0.001 second", Unit("ms").ToString());
        Assert.Equal("2.5", Quantity.Dimensionless(2.5).ToString());
        Assert.Equal("1 mole/metre**3", Unit("mM").ToString());
    }
}
