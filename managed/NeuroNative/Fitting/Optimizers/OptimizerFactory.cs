using System.Globalization;

namespace NeuroNative.Fitting.Optimizers;

/// <summary>
/// Optimizers by name with options from a dictionary, as an experiment file writes them
/// (<c>optimizer: {method: DE, popsize: 40, F: 0.8}</c>). Method and option names are case-insensitive; option values
/// may be numbers or their invariant-culture text (what a YAML reader hands over).
/// </summary>
public static class OptimizerFactory
{
    private abstract record Method(string Name)
    {
        public abstract IOptimizer Create(IReadOnlyDictionary<string, object?> options);
    }

    private sealed record Method<TOptions>(string Name, TOptions Defaults, Func<TOptions, IOptimizer> Build,
        IReadOnlyDictionary<string, Func<TOptions, object, TOptions>> Options) : Method(Name)
    {
        public override IOptimizer Create(IReadOnlyDictionary<string, object?> options)
        {
            var o = Defaults;
            foreach (var (key, value) in options)
            {
                var entry = Options.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));
                if (entry.Value is null)
                    throw new ArgumentException($"Unknown option '{key}' for optimizer {Name}; its options are {string.Join(", ", Options.Keys)}.", nameof(options));
                if (value is null) throw new ArgumentException($"Option '{entry.Key}' of optimizer {Name} has no value.", nameof(options));
                try
                {
                    o = entry.Value(o, value);
                }
                catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                {
                    throw new ArgumentException($"Option '{entry.Key}' of optimizer {Name}: {e.Message}", nameof(options), e);
                }
            }
            return Build(o);
        }
    }

    private static readonly Method[] Known =
    [
        new Method<DEOptions>("DE", new(), o => new DifferentialEvolution(o), new Dictionary<string, Func<DEOptions, object, DEOptions>>
        {
            ["popsize"] = (o, v) => o with { PopSize = Int(v) },
            ["F"] = (o, v) => o with { F = Real(v) },
            ["CR"] = (o, v) => o with { CR = Real(v) },
        }),
        new Method<CMAESOptions>("CMAES", new(), o => new CmaEs(o), new Dictionary<string, Func<CMAESOptions, object, CMAESOptions>>
        {
            ["popsize"] = (o, v) => o with { PopSize = Int(v) },
            ["sigma0"] = (o, v) => o with { Sigma0 = Real(v) },
            ["tolx"] = (o, v) => o with { TolX = Real(v) },
        }),
        new Method<PSOOptions>("PSO", new(), o => new ParticleSwarm(o), new Dictionary<string, Func<PSOOptions, object, PSOOptions>>
        {
            ["popsize"] = (o, v) => o with { PopSize = Int(v) },
            ["omega"] = (o, v) => o with { Omega = Real(v) },
            ["phip"] = (o, v) => o with { PhiP = Real(v) },
            ["phig"] = (o, v) => o with { PhiG = Real(v) },
        }),
        new Method<NelderMeadOptions>("NelderMead", new(), o => new NelderMead(o), new Dictionary<string, Func<NelderMeadOptions, object, NelderMeadOptions>>
        {
            ["popsize"] = (o, v) => o with { PopSize = Int(v) },
            ["rho"] = (o, v) => o with { Rho = Real(v) },
            ["chi"] = (o, v) => o with { Chi = Real(v) },
            ["gamma"] = (o, v) => o with { Gamma = Real(v) },
            ["sigma"] = (o, v) => o with { Sigma = Real(v) },
            ["step"] = (o, v) => o with { Step = Real(v) },
            ["xatol"] = (o, v) => o with { XATol = Real(v) },
        }),
        new Method<GPOptions>("GP", new(), o => new BayesianOptimization(o), new Dictionary<string, Func<GPOptions, object, GPOptions>>
        {
            ["popsize"] = (o, v) => o with { PopSize = Int(v) },
            ["n_initial_points"] = (o, v) => o with { NInitialPoints = Int(v) },
            ["acq_func"] = (o, v) => o with { AcqFunc = Choice<Acquisition>(v) },
            ["xi"] = (o, v) => o with { Xi = Real(v) },
            ["kappa"] = (o, v) => o with { Kappa = Real(v) },
            ["n_points"] = (o, v) => o with { NPoints = Int(v) },
            ["n_restarts_optimizer"] = (o, v) => o with { NRestartsOptimizer = Int(v) },
        }),
    ];

    /// <summary>The method names, as <see cref="Create"/> takes them.</summary>
    public static IReadOnlyList<string> Methods { get; } = Known.Select(m => m.Name).ToArray();

    /// <summary>A new optimizer of <paramref name="method"/>, its options' defaults overridden by <paramref name="options"/>.</summary>
    public static IOptimizer Create(string method, IReadOnlyDictionary<string, object?>? options = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        var known = Known.FirstOrDefault(m => string.Equals(m.Name, method, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown optimizer '{method}'; the known ones are {string.Join(", ", Methods)}.", nameof(method));
        return known.Create(options ?? new Dictionary<string, object?>());
    }

    private static double Real(object value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException($"expected a number; got {value.GetType().Name} '{value}'."),
    };

    private static int Int(object value) => value switch
    {
        int i => i,
        long l => checked((int)l),
        double d when d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue => (int)d,
        string s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException($"expected an integer; got {value.GetType().Name} '{value}'."),
    };

    private static T Choice<T>(object value) where T : struct, Enum =>
        value is T t ? t
        : Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, value as string, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<T>(name)
            : throw new FormatException($"expected one of {string.Join(", ", Enum.GetNames<T>())}; got '{value}'.");
}
