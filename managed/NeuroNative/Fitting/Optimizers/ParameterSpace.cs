namespace NeuroNative.Fitting.Optimizers;

/// <summary>
/// One fitted parameter and its bounds. <see cref="LogScale"/> makes the optimizers search
/// log(value) uniformly, for parameters that span decades (conductances 1e-9..1e-7 S): then
/// <see cref="Lower"/> must be positive.
/// </summary>
public sealed record Parameter(string Name, double Lower, double Upper, bool LogScale = false);

/// <summary>
/// The box the optimizers search. They work in the unit cube [0, 1]^d, which this class maps onto
/// the bounds (linearly, or geometrically for log-scale parameters), so one step size suits every
/// parameter whatever its unit.
/// </summary>
public sealed class ParameterSpace
{
    public ParameterSpace(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("A parameter space needs at least one parameter.", nameof(parameters));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in Parameters)
        {
            if (p is null) throw new ArgumentException("A parameter is null.", nameof(parameters));
            if (string.IsNullOrWhiteSpace(p.Name)) throw new ArgumentException("A parameter has an empty name.", nameof(parameters));
            if (!seen.Add(p.Name)) throw new ArgumentException($"Parameter '{p.Name}' is given twice.", nameof(parameters));
            if (!double.IsFinite(p.Lower) || !double.IsFinite(p.Upper) || !(p.Lower < p.Upper))
                throw new ArgumentException(
                    $"Parameter '{p.Name}' needs finite bounds with lower < upper; got [{p.Lower}, {p.Upper}].", nameof(parameters));
            if (p.LogScale && !(p.Lower > 0))
                throw new ArgumentException(
                    $"Parameter '{p.Name}' is on a log scale, so its lower bound must be positive; got {p.Lower}.", nameof(parameters));
        }
    }

    public ParameterSpace(params Parameter[] parameters) : this((IEnumerable<Parameter>)parameters) { }

    public IReadOnlyList<Parameter> Parameters { get; }

    public int Dimension => Parameters.Count;

    /// <summary>The point of the box at unit coordinates <paramref name="unit"/> (each clamped to [0, 1]);
    /// the result is clamped to the bounds too, so rounding in the log mapping cannot step outside them.</summary>
    public double[] FromUnit(ReadOnlySpan<double> unit)
    {
        if (unit.Length != Dimension)
            throw new ArgumentException($"Expected {Dimension} unit coordinates; got {unit.Length}.", nameof(unit));
        var x = new double[Dimension];
        for (int i = 0; i < x.Length; i++)
        {
            var p = Parameters[i];
            double u = Math.Clamp(unit[i], 0.0, 1.0);
            // Both forms give the lower bound exactly at u = 0.
            double v = p.LogScale ? p.Lower * Math.Pow(p.Upper / p.Lower, u) : p.Lower + u * (p.Upper - p.Lower);
            x[i] = Math.Clamp(v, p.Lower, p.Upper);
        }
        return x;
    }
}
