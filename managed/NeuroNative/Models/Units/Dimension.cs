using System.Globalization;
using System.Text;

namespace NeuroNative.Models.Units;

/// <summary>
/// Exponents of the seven SI base units, in the order metre, kilogram, second, amp, kelvin, mole, candle.
/// </summary>
/// <remarks>
/// Exponents are doubles because Brian allows fractional powers (the noise symbol xi has second**-0.5).
/// Equality and hashing round each exponent to 1e-9 so that, e.g., <c>d.Pow(1.0/3).Pow(3) == d</c>.
/// </remarks>
public readonly struct Dimension : IEquatable<Dimension>
{
    public const int BaseCount = 7;

    /// <summary>Brian's short SI symbols, used by <see cref="ToBaseString"/>.</summary>
    internal static readonly string[] BaseSymbols = ["m", "kg", "s", "A", "K", "mol", "cd"];

    /// <summary>Brian's unit names for the base dimensions, used in Python-style unit expressions.</summary>
    internal static readonly string[] BaseNames = ["metre", "kilogram", "second", "amp", "kelvin", "mole", "candle"];

    public static readonly Dimension Dimensionless = default;
    public static readonly Dimension Length = new(1, 0, 0, 0, 0, 0, 0);
    public static readonly Dimension Mass = new(0, 1, 0, 0, 0, 0, 0);
    public static readonly Dimension Time = new(0, 0, 1, 0, 0, 0, 0);
    public static readonly Dimension Current = new(0, 0, 0, 1, 0, 0, 0);
    public static readonly Dimension Temperature = new(0, 0, 0, 0, 1, 0, 0);
    public static readonly Dimension Amount = new(0, 0, 0, 0, 0, 1, 0);
    public static readonly Dimension Luminosity = new(0, 0, 0, 0, 0, 0, 1);

    private readonly double _metre, _kilogram, _second, _amp, _kelvin, _mole, _candle;

    public Dimension(double metre, double kilogram, double second, double amp, double kelvin, double mole, double candle)
    {
        _metre = metre;
        _kilogram = kilogram;
        _second = second;
        _amp = amp;
        _kelvin = kelvin;
        _mole = mole;
        _candle = candle;
    }

    /// <summary>The exponent of base unit <paramref name="baseIndex"/> (0 = metre … 6 = candle).</summary>
    public double this[int baseIndex] => baseIndex switch
    {
        0 => _metre,
        1 => _kilogram,
        2 => _second,
        3 => _amp,
        4 => _kelvin,
        5 => _mole,
        6 => _candle,
        _ => throw new ArgumentOutOfRangeException(nameof(baseIndex), baseIndex, "Base index must be 0..6."),
    };

    public bool IsDimensionless => this == Dimensionless;

    public static Dimension operator *(Dimension a, Dimension b) => Combine(a, b, 1);

    public static Dimension operator /(Dimension a, Dimension b) => Combine(a, b, -1);

    public Dimension Pow(double exponent) => new(
        _metre * exponent, _kilogram * exponent, _second * exponent, _amp * exponent,
        _kelvin * exponent, _mole * exponent, _candle * exponent);

    private static Dimension Combine(Dimension a, Dimension b, double sign) => new(
        a._metre + sign * b._metre, a._kilogram + sign * b._kilogram, a._second + sign * b._second,
        a._amp + sign * b._amp, a._kelvin + sign * b._kelvin, a._mole + sign * b._mole,
        a._candle + sign * b._candle);

    /// <summary>An exponent as compared and printed: rounded to 1e-9, with -0 folded into +0.</summary>
    internal static double Canonical(double exponent) => Math.Round(exponent, 9) + 0.0;

    /// <summary>An exponent as Python would print it: "2", "-1", "0.5".</summary>
    internal static string FormatExponent(double exponent) =>
        Canonical(exponent).ToString("R", CultureInfo.InvariantCulture);

    public bool Equals(Dimension other)
    {
        for (int i = 0; i < BaseCount; i++)
            if (Canonical(this[i]) != Canonical(other[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is Dimension other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (int i = 0; i < BaseCount; i++) hash.Add(Canonical(this[i]));
        return hash.ToHashCode();
    }

    public static bool operator ==(Dimension a, Dimension b) => a.Equals(b);

    public static bool operator !=(Dimension a, Dimension b) => !a.Equals(b);

    /// <summary>Brian's SI base display, as in its error messages: "m^2 kg s^-3 A^-1", "s^-0.5", "1".</summary>
    public string ToBaseString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < BaseCount; i++)
        {
            double e = Canonical(this[i]);
            if (e == 0) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(BaseSymbols[i]);
            if (e != 1) sb.Append('^').Append(FormatExponent(e));
        }
        return sb.Length == 0 ? "1" : sb.ToString();
    }

    /// <summary>A readable unit expression in Brian's spelling, see <see cref="UnitRegistry.Format"/>.</summary>
    public string ToBrianString() => UnitRegistry.Format(this);

    public override string ToString() => ToBrianString();
}
