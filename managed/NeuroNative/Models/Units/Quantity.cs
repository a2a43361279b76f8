using System.Globalization;

namespace NeuroNative.Models.Units;

/// <summary>A value in SI base units together with its physical dimension.</summary>
public readonly record struct Quantity(double Value, Dimension Dimension)
{
    public static Quantity Dimensionless(double value) => new(value, Dimension.Dimensionless);

    public static Quantity operator *(Quantity a, Quantity b) => new(a.Value * b.Value, a.Dimension * b.Dimension);

    public static Quantity operator /(Quantity a, Quantity b) => new(a.Value / b.Value, a.Dimension / b.Dimension);

    public static Quantity operator *(Quantity a, double b) => new(a.Value * b, a.Dimension);

    public static Quantity operator *(double a, Quantity b) => new(a * b.Value, b.Dimension);

    public static Quantity operator /(Quantity a, double b) => new(a.Value / b, a.Dimension);

    public static Quantity operator /(double a, Quantity b) => new(a / b.Value, b.Dimension.Pow(-1));

    public static Quantity operator -(Quantity a) => new(-a.Value, a.Dimension);

    /// <exception cref="InvalidOperationException">The dimensions differ.</exception>
    public static Quantity operator +(Quantity a, Quantity b) => new(a.Value + b.Value, SameDimension(a, b, "add"));

    /// <exception cref="InvalidOperationException">The dimensions differ.</exception>
    public static Quantity operator -(Quantity a, Quantity b) => new(a.Value - b.Value, SameDimension(a, b, "subtract"));

    public Quantity Pow(double exponent) => new(Math.Pow(Value, exponent), Dimension.Pow(exponent));

    private static Dimension SameDimension(Quantity a, Quantity b, string verb)
    {
        if (a.Dimension != b.Dimension)
            throw new InvalidOperationException(
                $"Cannot {verb} quantities with different units: {a.Dimension.ToBrianString()} and {b.Dimension.ToBrianString()}.");
        return a.Dimension;
    }

    /// <summary>"0.02 volt"; just the number when dimensionless.</summary>
    public override string ToString()
    {
        string value = Value.ToString("R", CultureInfo.InvariantCulture);
        return Dimension.IsDimensionless ? value : $"{value} {Dimension.ToBrianString()}";
    }
}
