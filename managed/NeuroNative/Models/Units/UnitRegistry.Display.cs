using System.Globalization;

namespace NeuroNative.Models.Units;

/// <summary>A unit to show SI values in: its symbol ("pA", "μS", "" when dimensionless) and the factor the
/// SI values are divided by (1e-12 for pA).</summary>
public readonly record struct DisplayUnit(string Symbol, double Scale);

public static partial class UnitRegistry
{
    // SI symbols of the named units, for labels (Brian's spelling is the long name; labels want the symbol).
    private static readonly (string Name, string Symbol)[] DisplaySymbols =
    [
        ("volt", "V"), ("amp", "A"), ("second", "s"), ("siemens", "S"), ("farad", "F"), ("ohm", "Ω"),
        ("Hz", "Hz"), ("metre", "m"), ("mole", "mol"), ("coulomb", "C"), ("newton", "N"), ("joule", "J"),
        ("watt", "W"), ("pascal", "Pa"), ("henry", "H"), ("tesla", "T"), ("weber", "Wb"), ("candle", "cd"),
    ];

    /// <summary>
    /// Reads a unit written as Brian writes dimensions: a coherent unit name ("amp", "siemens", "Hz"), "1" or ""
    /// for dimensionless, or products, quotients and powers of them ("siemens/metre**2",
    /// "metre ** -2 * kilogram ** -1 * second ** 3 * amp ** 2", parentheses allowed). False for anything else,
    /// including names with a scale other than 1 ("mV"), which would not describe SI values.
    /// </summary>
    public static bool TryParseDimension(string text, out Dimension dimension)
    {
        ArgumentNullException.ThrowIfNull(text);
        dimension = Dimension.Dimensionless;
        if (text.Trim().Length == 0) return true;
        var reader = new UnitTextReader(text);
        if (!reader.Product(out dimension) || !reader.AtEnd) { dimension = Dimension.Dimensionless; return false; }
        return true;
    }

    /// <summary>
    /// The unit to show values of <paramref name="dimension"/> in, for values whose largest magnitude is
    /// <paramref name="magnitude"/> (SI): an SI prefix that puts it in [1, 1000) ("pA" for 2e-11 amp, "μS" for
    /// 2e-5 siemens) where the dimension has a symbol, otherwise Brian's name for the dimension at scale 1.
    /// </summary>
    public static DisplayUnit DisplayUnitFor(Dimension dimension, double magnitude)
    {
        if (dimension.IsDimensionless) return new DisplayUnit("", 1);
        foreach (var (name, symbol) in DisplaySymbols)
        {
            if (Entries[name].Unit.Dimension != dimension) continue;
            int exponent = magnitude > 0 && double.IsFinite(magnitude)
                ? Math.Clamp((int)Math.Floor(Math.Log10(magnitude) / 3) * 3, -24, 24)
                : 0;
            string prefix = exponent == 0 ? "" : StandardPrefixes.Single(p => p.Scale == exponent).Symbol;
            return new DisplayUnit((prefix == "u" ? "μ" : prefix) + symbol, PowerOfTen(exponent));
        }
        return new DisplayUnit(Format(dimension), 1);
    }

    /// <summary>Recursive descent over the unit text: product := power (('*' | '/') power)*,
    /// power := atom ('**' number)?, atom := name | '1' | '(' product ')'.</summary>
    private ref struct UnitTextReader(string text)
    {
        private readonly string _text = text;
        private int _pos;

        public bool AtEnd { get { SkipSpaces(); return _pos == _text.Length; } }

        public bool Product(out Dimension d)
        {
            if (!Power(out d)) return false;
            while (true)
            {
                SkipSpaces();
                if (_pos < _text.Length && _text[_pos] == '/')
                {
                    _pos++;
                    if (!Power(out var right)) return false;
                    d /= right;
                }
                else if (_pos + 1 < _text.Length && _text[_pos] == '*' && _text[_pos + 1] != '*')
                {
                    _pos++;
                    if (!Power(out var right)) return false;
                    d *= right;
                }
                else return true;
            }
        }

        private bool Power(out Dimension d)
        {
            if (!Atom(out d)) return false;
            SkipSpaces();
            if (_pos + 1 >= _text.Length || _text[_pos] != '*' || _text[_pos + 1] != '*') return true;
            _pos += 2;
            SkipSpaces();
            int start = _pos;
            if (_pos < _text.Length && _text[_pos] is '-' or '+') _pos++;
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
            if (!double.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double p))
                return false;
            d = d.Pow(p);
            return true;
        }

        private bool Atom(out Dimension d)
        {
            d = Dimension.Dimensionless;
            SkipSpaces();
            if (_pos == _text.Length) return false;
            if (_text[_pos] == '(')
            {
                _pos++;
                if (!Product(out d)) return false;
                SkipSpaces();
                if (_pos == _text.Length || _text[_pos] != ')') return false;
                _pos++;
                return true;
            }
            if (_text[_pos] == '1' && (_pos + 1 == _text.Length || !char.IsAsciiDigit(_text[_pos + 1])))
            {
                _pos++;
                return true;
            }
            int start = _pos;
            while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
            if (_pos == start || !Entries.TryGetValue(_text[start.._pos], out var entry) || entry.Unit.Value != 1) return false;
            d = entry.Unit.Dimension;
            return true;
        }

        private void SkipSpaces()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
        }
    }
}
