using NeuroNative.Models.IR;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>
/// The names the model language defines itself: specials (t, dt, i, N, ...), constants (pi, e, inf,
/// True, False) and functions. Resolution, reserved names, suggestions and the IR printer all read
/// this one table.
/// </summary>
internal static class BuiltIns
{
    /// <summary>A per-step or per-neuron value; <paramref name="NeedsRefractory"/> ones exist only in
    /// models with refractoriness, <paramref name="Suggested"/> ones are offered for misspelt names.</summary>
    public sealed record Special(string Name, IrSpecial Value, Dimension Dimension, bool IsBoolean = false,
        bool NeedsRefractory = false, bool Suggested = false, bool IsInteger = false);

    /// <summary>A dimensionless constant; <paramref name="Suggested"/> as for specials.</summary>
    public sealed record Constant(string Name, double Value, bool IsBoolean = false, bool Suggested = false);

    public static readonly IReadOnlyList<Special> Specials =
    [
        new("t", IrSpecial.Time, Dimension.Time, Suggested: true),
        new("dt", IrSpecial.Dt, Dimension.Time, Suggested: true),
        new("i", IrSpecial.NeuronIndex, Dimension.Dimensionless, Suggested: true, IsInteger: true),
        new("N", IrSpecial.NeuronCount, Dimension.Dimensionless, Suggested: true, IsInteger: true),
        new("t_in_timesteps", IrSpecial.TimeStep, Dimension.Dimensionless, IsInteger: true),
        new("lastspike", IrSpecial.LastSpike, Dimension.Time, NeedsRefractory: true),
        new("not_refractory", IrSpecial.NotRefractory, Dimension.Dimensionless, IsBoolean: true, NeedsRefractory: true),
    ];

    public static readonly IReadOnlyList<Constant> Constants =
    [
        new("pi", Math.PI, Suggested: true),
        new("e", Math.E, Suggested: true),
        new("inf", double.PositiveInfinity, Suggested: true),
        new("True", 1, IsBoolean: true),
        new("False", 0, IsBoolean: true),
    ];

    /// <summary>Functions of one dimensionless argument with a dimensionless result.</summary>
    public static readonly IReadOnlyDictionary<string, IrOp> DimensionlessFunctions = new Dictionary<string, IrOp>
    {
        ["exp"] = IrOp.Exp, ["log"] = IrOp.Log, ["log10"] = IrOp.Log10, ["expm1"] = IrOp.Expm1,
        ["log1p"] = IrOp.Log1p, ["sin"] = IrOp.Sin, ["cos"] = IrOp.Cos, ["tan"] = IrOp.Tan,
        ["sinh"] = IrOp.Sinh, ["cosh"] = IrOp.Cosh, ["tanh"] = IrOp.Tanh, ["arcsin"] = IrOp.Arcsin,
        ["arccos"] = IrOp.Arccos, ["arctan"] = IrOp.Arctan, ["exprel"] = IrOp.Exprel,
    };

    /// <summary>Every function, with the IR operation it lowers to (timestep lowers to several).</summary>
    public static readonly IReadOnlyDictionary<string, IrOp?> Functions = new Dictionary<string, IrOp?>(
        DimensionlessFunctions.Select(f => KeyValuePair.Create(f.Key, (IrOp?)f.Value)))
    {
        ["sqrt"] = IrOp.Sqrt, ["abs"] = IrOp.Abs, ["sign"] = IrOp.Sign, ["floor"] = IrOp.Floor, ["ceil"] = IrOp.Ceil,
        ["clip"] = IrOp.Clip, ["int"] = IrOp.Trunc, ["rand"] = IrOp.Rand, ["randn"] = IrOp.Randn, ["poisson"] = IrOp.Poisson,
        ["timestep"] = null,
    };

    /// <summary>Names no model variable may take (Brian reserves them too).</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(
        [.. Specials.Select(s => s.Name), .. Constants.Select(c => c.Name),
         "xi", "refractory", "refractory_until", "and", "or", "not"], StringComparer.Ordinal);

    /// <summary>The built-in names offered as suggestions for a misspelt name.</summary>
    public static readonly IReadOnlyList<string> SuggestedSpecials = [.. Specials.Where(s => s.Suggested).Select(s => s.Name)];
    public static readonly IReadOnlyList<string> SuggestedConstants = [.. Constants.Where(c => c.Suggested).Select(c => c.Name)];

    public static Special? SpecialNamed(string name, bool refractory) =>
        Specials.FirstOrDefault(s => s.Name == name && (refractory || !s.NeedsRefractory));

    public static Constant? ConstantNamed(string name) => Constants.FirstOrDefault(c => c.Name == name);

    public static string? NameOf(IrSpecial special) => Specials.FirstOrDefault(s => s.Value == special)?.Name;

    public static string? FunctionNameOf(IrOp op) => Functions.FirstOrDefault(f => f.Value == op).Key;
}
