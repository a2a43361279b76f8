using NeuroNative.Experiments;
using NeuroNative.Explorations;

namespace NeuroNative.Tests.Plotting;

/// <summary>Small explorations shaped like the seeds' (Brian's HH grid, TVB-O's Van der Pol, FitzHugh–Nagumo and
/// QIF sweeps), with made-up but smooth data, so that figures can be drawn without simulating.</summary>
internal static class SyntheticExplorations
{
    /// <summary>Seed 000: g_na (siemens, after *area) × I (amp, 0–20 pA), a spiking model without outputs.</summary>
    public static ExplorationResult HhGrid()
    {
        double[] gNa = Enumerable.Range(0, 10).Select(i => (10 + 10 * i) * 1e-3 * 1e4 * 2e-8).ToArray(); // mS/cm² × 20000 μm²
        double[] current = Enumerable.Range(0, 8).Select(i => i * 20e-12 / 7).ToArray();
        var conditions = Product(("g_na", gNa), ("I", current));
        var summaries = conditions.Select((v, c) =>
        {
            double rate = Math.Max(0, 18 * (v["I"] / 20e-12) * (v["g_na"] / 2e-5) - 2);
            return new ConditionSummary(c, new Dictionary<string, OutputSummary>(), (long)Math.Round(rate * 10), rate);
        }).ToList();
        return new ExplorationResult
        {
            Name = "hh_exploration",
            Axes = [new("g_na", gNa, "siemens", ["g_na"]), new("I", current, "amp", ["I"])],
            Mode = SweepMode.Product,
            OutputNames = [],
            Dt = 1e-4,
            TimeUnit = "s",
            Time = [],
            Series = [],
            ConditionValues = conditions,
            Summaries = summaries,
        };
    }

    /// <summary>Seed 004, example 1: μ over 6 values, outputs x and z (damped rotations).</summary>
    public static ExplorationResult VanDerPol() =>
        Series("mu_sweep", [new("mu", [0.1, 2.08, 4.06, 6.04, 8.02, 10.0], "", ["mu"])], SweepMode.Product, ["x", "z"],
            (v, t, k) => Math.Exp(-0.02 * v["mu"] * t) * (k == 0 ? Math.Cos(t) : -Math.Sin(t)));

    /// <summary>Seed 004, example 2: a (fastest) × I_ext, outputs v and w with an amplitude that grows with both.</summary>
    public static ExplorationResult FhnGrid() =>
        Series("amp_landscape", [new("a", [0.5, 0.75, 1.0], "", ["a"]), new("I_ext", [0.0, 0.5, 1.0], "", ["I_ext"])],
            SweepMode.Product, ["v", "w"], (v, t, k) => (v["a"] + 2 * v["I_ext"]) * Math.Sin(0.3 * t + k));

    /// <summary>Seed 004, example 3: η over 15 values, outputs r and v, silent below η = 0 and oscillating above.</summary>
    public static ExplorationResult Qif() =>
        Series("eta_sweep", [new("eta", Enumerable.Range(0, 15).Select(i => -10 + 15.0 * i / 14).ToArray(), "", ["eta"])],
            SweepMode.Product, ["r", "v"], (v, t, k) =>
            {
                double eta = v["eta"];
                double amplitude = eta > 0 ? 0.1 * eta : 0;
                return k == 0 ? 0.2 + 0.02 * eta + amplitude * Math.Sin(t) : -1 + amplitude * Math.Cos(t);
            });

    /// <summary>A Brian model's 1-D sweep: I over 0–20 pA, the membrane potential v in volt, time in seconds.</summary>
    public static ExplorationResult BrianCurrentSteps() =>
        Series("current_steps", [new("I", [0, 5e-12, 10e-12, 15e-12, 20e-12], "amp", ["I"])], SweepMode.Product, ["v"],
            (v, t, k) => -0.065 + 1e9 * v["I"] * Math.Sin(300 * t), samples: 200, dt: 1e-4, timeUnit: "s");

    /// <summary><see cref="FhnGrid"/> with unevenly spaced values of a.</summary>
    public static ExplorationResult FhnUneven() =>
        Series("amp_uneven", [new("a", [0.1, 0.3, 1.0], "", ["a"]), new("I_ext", [0.0, 0.5, 1.0], "", ["I_ext"])],
            SweepMode.Product, ["v"], (v, t, k) => (v["a"] + 2 * v["I_ext"]) * Math.Sin(0.3 * t));

    private static ExplorationResult Series(string name, IReadOnlyList<ExplorationAxis> axes, SweepMode mode, string[] outputs,
        Func<IReadOnlyDictionary<string, double>, double, int, double> value, int samples = 600, double dt = 0.05, string timeUnit = "")
    {
        var conditions = Product(axes.Select(a => (a.Name, a.ExploredValues.ToArray())).ToArray());
        double[] time = Enumerable.Range(0, samples).Select(i => i * dt).ToArray();
        var series = outputs.Select((_, k) => conditions.SelectMany(v => time.Select(t => value(v, t, k))).ToArray()).ToList();
        var summaries = conditions.Select((_, c) => new ConditionSummary(c, outputs.Select((o, k) => (o, Summary(series[k].AsSpan(c * samples, samples))))
            .ToDictionary(p => p.o, p => p.Item2), null, null)).ToList();
        return new ExplorationResult
        {
            Name = name,
            Axes = axes,
            Mode = mode,
            OutputNames = outputs,
            Dt = dt,
            TimeUnit = timeUnit,
            Time = time,
            Series = series,
            ConditionValues = conditions,
            Summaries = summaries,
        };
    }

    private static OutputSummary Summary(ReadOnlySpan<double> x)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        foreach (double v in x)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }
        return new OutputSummary(min, max, sum / x.Length, max - min, 0);
    }

    /// <summary>The product grid, first axis fastest, as the explorations order conditions.</summary>
    private static List<IReadOnlyDictionary<string, double>> Product(params (string Name, double[] Values)[] axes)
    {
        var result = new List<IReadOnlyDictionary<string, double>> { new Dictionary<string, double>() };
        foreach (var (axisName, values) in axes)
            result = values.SelectMany(v => result.Select(r => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>(r) { [axisName] = v })).ToList();
        return result;
    }
}
