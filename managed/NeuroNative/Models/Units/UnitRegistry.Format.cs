namespace NeuroNative.Models.Units;

public static partial class UnitRegistry
{
    // Unit names used to describe a dimension, most preferred first. Names that would make neuron
    // models harder to read (gray for m²/s², katal for mol/s, molar for mol/m³) are deliberately absent,
    // so those print as compositions of base units.
    private static readonly string[] DisplayNames =
    [
        "volt", "amp", "second", "siemens", "farad", "ohm", "coulomb", "metre", "kilogram", "mole",
        "kelvin", "candle", "newton", "joule", "watt", "pascal", "henry", "tesla", "weber", "Hz",
    ];

    /// <summary>
    /// A readable unit expression for a dimension in Brian's spelling, for error messages:
    /// "1" when dimensionless; a unit name ("volt", "Hz"); otherwise one name raised to a power
    /// ("volt**-1", "second**-0.5") or one name times a power of one base unit ("volt/second",
    /// "siemens/metre**2", "mole/metre**3"), choosing the most preferred leading name and then the
    /// shortest text; and failing all that a product of base units ("metre**2 * kilogram / (second**3 * amp)").
    /// </summary>
    public static string Format(Dimension dimension)
    {
        if (dimension.IsDimensionless) return "1";

        foreach (string name in DisplayNames)
            if (Entries[name].Unit.Dimension == dimension) return name;

        string? best = null;
        for (int rank = 0; rank < DisplayNames.Length && best is null; rank++)
        {
            string name = DisplayNames[rank];
            foreach (string candidate in Compositions(name, Entries[name].Unit.Dimension, dimension))
                if (best is null || candidate.Length < best.Length) best = candidate;
        }
        return best ?? BaseProduct(dimension);
    }

    /// <summary>The ways to write <paramref name="target"/> as name**p or name·base**k.</summary>
    private static IEnumerable<string> Compositions(string name, Dimension named, Dimension target)
    {
        // Hz only stands for 1/second itself or divided by something: "Hz*metre" would hide a velocity.
        bool isHertz = name == "Hz";
        if (!isHertz && PowerRelating(named, target) is double p && p != 1)
            yield return $"{name}**{Dimension.FormatExponent(p)}";

        Dimension rest = target / named;
        int baseIndex = SingleBase(rest);
        if (baseIndex < 0) yield break;
        string baseName = Dimension.BaseNames[baseIndex];
        double k = Dimension.Canonical(rest[baseIndex]);
        if (baseName == name || (isHertz && k > 0)) yield break;
        yield return k < 0 ? $"{name}/{Power(baseName, -k)}" : $"{name}*{Power(baseName, k)}";
    }

    /// <summary>The exponent p with named**p == target, or null if there is none.</summary>
    private static double? PowerRelating(Dimension named, Dimension target)
    {
        for (int i = 0; i < Dimension.BaseCount; i++)
        {
            if (named[i] == 0) continue;
            double p = Dimension.Canonical(target[i] / named[i]);
            return p != 0 && named.Pow(p) == target ? p : null;
        }
        return null;
    }

    /// <summary>The index of the only base unit with a non-zero exponent, or -1.</summary>
    private static int SingleBase(Dimension dim)
    {
        int found = -1;
        for (int i = 0; i < Dimension.BaseCount; i++)
        {
            if (Dimension.Canonical(dim[i]) == 0) continue;
            if (found >= 0) return -1;
            found = i;
        }
        return found;
    }

    private static string Power(string name, double exponent) =>
        exponent == 1 ? name : $"{name}**{Dimension.FormatExponent(exponent)}";

    private static string BaseProduct(Dimension dim)
    {
        var numerator = new List<string>();
        var denominator = new List<string>();
        for (int i = 0; i < Dimension.BaseCount; i++)
        {
            double e = Dimension.Canonical(dim[i]);
            if (e > 0) numerator.Add(Power(Dimension.BaseNames[i], e));
            else if (e < 0) denominator.Add(Power(Dimension.BaseNames[i], -e));
        }
        string top = numerator.Count == 0 ? "1" : string.Join(" * ", numerator);
        return denominator.Count switch
        {
            0 => top,
            1 => $"{top} / {denominator[0]}",
            _ => $"{top} / ({string.Join(" * ", denominator)})",
        };
    }
}
