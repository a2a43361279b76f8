using System.Globalization;
using System.Text;

namespace NeuroNative.Models.Units;

/// <summary>
/// The unit names Brian 2.5.1 resolves in equations and expressions, with their SI values.
/// </summary>
/// <remarks>
/// The set reproduces Brian's default unit namespace (1710 names) plus the three names that
/// `from brian2 import *` adds to a script's namespace (cmetre, cmeter, mS): 1713 names, checked
/// against the list tests/data/units/brian2_unit_names.csv made with Brian; the rules are in
/// docs/units.md.
/// </remarks>
public static partial class UnitRegistry
{
    private readonly record struct Entry(Quantity Unit, bool IsBase);

    private readonly record struct Prefix(string Symbol, int Scale);

    // The prefixes every unit but kelvin and kilogram takes; c, d, da, h are reserved for litre.
    private static readonly Prefix[] StandardPrefixes =
    [
        new("y", -24), new("z", -21), new("a", -18), new("f", -15), new("p", -12), new("n", -9),
        new("u", -6), new("m", -3), new("k", 3), new("M", 6), new("G", 9), new("T", 12),
        new("P", 15), new("E", 18), new("Z", 21), new("Y", 24),
    ];

    private static readonly Prefix[] LitrePrefixes =
        [.. StandardPrefixes, new("c", -2), new("d", -1), new("da", 1), new("h", 2)];

    private static readonly Dictionary<string, Entry> Entries = Build();

    private static readonly string[] SortedNames = [.. Entries.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Every resolvable unit name, sorted ordinally.</summary>
    public static IReadOnlyCollection<string> AllNames => SortedNames;

    /// <summary>Resolves a unit name (case-sensitive) to its value in SI base units.</summary>
    public static bool TryLookup(string name, out Quantity unit)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool found = Entries.TryGetValue(name, out var entry);
        unit = entry.Unit;
        return found;
    }

    /// <summary>
    /// True for the names Brian accepts after ':' in an equation: value exactly 1 and not a power form.
    /// That includes aliases (Hz, mol, meter) and the scale-1 prefixed names kgram and mmolar/mM,
    /// but not molar (1000 mol/m³), gram or cm.
    /// </summary>
    public static bool IsBaseUnitName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Entries.TryGetValue(name, out var entry) && entry.IsBase;
    }

    /// <summary>
    /// The replacement Brian suggests when a unit that is not a base unit follows ':' ("Use 'volt'
    /// instead."): "mV" → "volt", "cm" → "metre", "molar" → "mmolar", "gram" → "kilogram",
    /// "cm2" → "metre ** 2". Null for unknown names and for names that already are base units.
    /// </summary>
    public static string? BaseNameFor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Entries.TryGetValue(name, out var entry) || entry.IsBase) return null;
        Dimension dim = entry.Unit.Dimension;
        foreach (string candidate in CanonicalBaseNames)
            if (Entries[candidate].Unit.Dimension == dim) return candidate;
        return PythonProduct(dim);
    }

    // The name Brian's get_unit() returns per dimension, where it is a usable base unit. Dimensions
    // without one (powers such as metre**3, even though klitre exists) get a product of base units.
    private static readonly string[] CanonicalBaseNames =
    [
        "amp", "candle", "coulomb", "farad", "gray", "henry", "hertz", "joule", "katal", "kelvin",
        "kilogram", "lux", "metre", "mmolar", "mole", "newton", "ohm", "pascal", "radian", "second",
        "siemens", "tesla", "volt", "watt", "weber",
    ];

    /// <summary>Brian's repr of a unit with no name: "metre ** 2 * kilogram * second ** -3".</summary>
    private static string PythonProduct(Dimension dim)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Dimension.BaseCount; i++)
        {
            double e = Dimension.Canonical(dim[i]);
            if (e == 0) continue;
            if (sb.Length > 0) sb.Append(" * ");
            sb.Append(Dimension.BaseNames[i]);
            if (e != 1) sb.Append(" ** ").Append(Dimension.FormatExponent(e));
        }
        return sb.ToString();
    }

    private static Dictionary<string, Entry> Build()
    {
        var m = Dimension.Length;
        var kg = Dimension.Mass;
        var s = Dimension.Time;
        var a = Dimension.Current;
        var mol = Dimension.Amount;
        var cd = Dimension.Luminosity;
        var one = Dimension.Dimensionless;

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);

        void Add(string name, Dimension dim, int scale, bool isPower)
        {
            var unit = new Quantity(PowerOfTen(scale), dim);
            entries.Add(name, new Entry(unit, IsBase: scale == 0 && !isPower));
        }

        // A unit with its prefixed forms and, for each, the squared and cubed forms ("umetre2").
        void AddFamily(string name, Dimension dim, int scale, IReadOnlyList<Prefix> prefixes)
        {
            var stems = new List<(string Name, int Scale)> { (name, scale) };
            foreach (var p in prefixes) stems.Add((p.Symbol + name, scale + p.Scale));
            foreach (var (stem, stemScale) in stems)
            {
                Add(stem, dim, stemScale, isPower: false);
                Add(stem + "2", dim.Pow(2), 2 * stemScale, isPower: true);
                Add(stem + "3", dim.Pow(3), 3 * stemScale, isPower: true);
            }
        }

        AddFamily("metre", m, 0, StandardPrefixes);
        AddFamily("meter", m, 0, StandardPrefixes);
        AddFamily("kilogram", kg, 0, []);
        AddFamily("kilogramme", kg, 0, []);
        AddFamily("gram", kg, -3, StandardPrefixes);
        AddFamily("gramme", kg, -3, StandardPrefixes);
        AddFamily("second", s, 0, StandardPrefixes);
        AddFamily("amp", a, 0, StandardPrefixes);
        AddFamily("ampere", a, 0, StandardPrefixes);
        AddFamily("kelvin", Dimension.Temperature, 0, []);
        AddFamily("mole", mol, 0, StandardPrefixes);
        AddFamily("mol", mol, 0, StandardPrefixes);
        AddFamily("candle", cd, 0, StandardPrefixes);
        AddFamily("molar", mol / m.Pow(3), 3, StandardPrefixes); // mol/litre = 1000 mol/m³
        AddFamily("radian", one, 0, StandardPrefixes);
        AddFamily("steradian", one, 0, StandardPrefixes);
        AddFamily("hertz", s.Pow(-1), 0, StandardPrefixes);
        var newton = m * kg / s.Pow(2);
        var joule = newton * m;
        var watt = joule / s;
        var coulomb = a * s;
        var volt = watt / a;
        var ohm = volt / a;
        var weber = volt * s;
        AddFamily("newton", newton, 0, StandardPrefixes);
        AddFamily("pascal", newton / m.Pow(2), 0, StandardPrefixes);
        AddFamily("joule", joule, 0, StandardPrefixes);
        AddFamily("watt", watt, 0, StandardPrefixes);
        AddFamily("coulomb", coulomb, 0, StandardPrefixes);
        AddFamily("volt", volt, 0, StandardPrefixes);
        AddFamily("farad", coulomb / volt, 0, StandardPrefixes);
        AddFamily("ohm", ohm, 0, StandardPrefixes);
        AddFamily("siemens", ohm.Pow(-1), 0, StandardPrefixes);
        AddFamily("weber", weber, 0, StandardPrefixes);
        AddFamily("tesla", weber / m.Pow(2), 0, StandardPrefixes);
        AddFamily("henry", weber / a, 0, StandardPrefixes);
        AddFamily("lumen", cd, 0, StandardPrefixes); // cd·sr, and the steradian is dimensionless
        AddFamily("lux", cd / m.Pow(2), 0, StandardPrefixes);
        AddFamily("becquerel", s.Pow(-1), 0, StandardPrefixes);
        AddFamily("gray", joule / kg, 0, StandardPrefixes);
        AddFamily("sievert", joule / kg, 0, StandardPrefixes);
        AddFamily("katal", mol / s, 0, StandardPrefixes);

        // Brian defines litre without power forms but with every prefix, including c, d, da, h.
        foreach (string litre in new[] { "litre", "liter" })
        {
            Add(litre, m.Pow(3), -3, isPower: false);
            foreach (var p in LitrePrefixes) Add(p.Symbol + litre, m.Pow(3), -3 + p.Scale, isPower: false);
        }

        // Not in DEFAULT_UNITS, but Brian scripts see them through `from brian2 import *` (no powers:
        // Brian has no cmetre2); cm2 and cm3 are stdunits of their own.
        Add("cmetre", m, -2, isPower: false);
        Add("cmeter", m, -2, isPower: false);
        Add("cm2", m.Pow(2), -4, isPower: true);
        Add("cm3", m.Pow(3), -6, isPower: true);

        // The only short forms, and mS from `from brian2 import *` (docs/units.md; there is no ns, uV,
        // kg or g). Aliases inherit the base-unit status of their target, as in Brian (Hz and mM are base units).
        (string Alias, string Target)[] shortForms =
        [
            ("mV", "mvolt"), ("mA", "mamp"), ("uA", "uamp"), ("nA", "namp"), ("pA", "pamp"),
            ("pF", "pfarad"), ("uF", "ufarad"), ("nF", "nfarad"), ("mS", "msiemens"), ("nS", "nsiemens"), ("uS", "usiemens"),
            ("ms", "msecond"), ("us", "usecond"), ("Hz", "hertz"), ("kHz", "khertz"), ("MHz", "Mhertz"),
            ("cm", "cmetre"),
            ("mm", "mmetre"), ("mm2", "mmetre2"), ("mm3", "mmetre3"),
            ("um", "umetre"), ("um2", "umetre2"), ("um3", "umetre3"),
            ("mM", "mmolar"), ("uM", "umolar"), ("nM", "nmolar"),
        ];
        foreach (var (alias, target) in shortForms) entries.Add(alias, entries[target]);

        return entries;
    }

    /// <summary>10^scale, correctly rounded (as Python's 10.0**scale), so 1e-3 is exactly the literal 1e-3.</summary>
    private static double PowerOfTen(int scale) =>
        double.Parse("1e" + scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
