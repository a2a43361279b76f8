using System.Text.Json;
using System.Text.Json.Serialization;
using NeuroNative.Experiments;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative.Synapses;

/// <summary>What a synapse file asks for (<c>protocol.kind</c>): single | train | frequency | continuous | gap | optimize.</summary>
public sealed record SynapseProtocol(string Kind)
{
    public double Frequency { get; init; } = 50;
    public double Delay { get; init; } = 0.25;
    public IReadOnlyList<double> Frequencies { get; init; } = SynapseTuner.DefaultFrequencies;
    public double Duration { get; init; } = 1;
    public double IclampAmp { get; init; } = 10e-12;
    public IReadOnlyList<double> Conductances { get; init; } = [];
    public IReadOnlyList<SynapseTarget> Targets { get; init; } = [];
    public IReadOnlyDictionary<string, (double Lower, double Upper)> Bounds { get; init; } = new Dictionary<string, (double, double)>();
    public bool RandomStart { get; init; }
    public int MaxEvaluations { get; init; } = 200;
    /// <summary>null: MathNet's Nelder–Mead from the start; else a fitting optimizer run in batches of <see cref="PopulationSize"/>.</summary>
    public string? Method { get; init; }
    public int? PopulationSize { get; init; }
}

/// <summary>A synapse file (examples/synapse_*.yaml, docs/synapses.md) read: bmtool's general_settings, the cell, the
/// synapse, the clamp and the protocol; parameter values SI.</summary>
public sealed record SynapseExperiment(ModelPart Cell, ModelPart Synapse, SynapseSettings Settings, bool VoltageClamp, Clamp? Clamp,
    IReadOnlyDictionary<string, double> Parameters, SynapseProtocol Protocol)
{
    private static readonly string[] TopKeys = ["general_settings", "cell", "synapse", "clamp", "protocol"];
    private static readonly string[] GeneralKeys = ["vclamp", "tstart", "tdur", "dt", "celsius", "threshold", "delay", "weight", "rise_interval", "bmtool_compatible", "threads"];
    private static readonly string[] PartKeys = ["library", "equations", "on_pre", "every_step", "parameters", "initial"];
    private static readonly string[] Kinds = ["single", "train", "frequency", "continuous", "gap", "optimize"];
    private static readonly Dimension Volt = new(2, 1, -3, -1, 0, 0, 0), Ohm = new(2, 1, -3, -2, 0, 0, 0), Siemens = new(-2, -1, 3, 2, 0, 0, 0);

    public static SynapseExperiment Load(string path) => Parse(ExperimentFile.ReadText(path, "the synapse file"), path);

    public static SynapseExperiment Parse(string text, string source)
    {
        var doc = new DocumentReader(source);
        var root = YamlDocument.Parse(text, source);
        var top = doc.Fields(root, "the synapse file", TopKeys);
        var units = ModelAnalyzer.Analyze(new ModelDefinition("x : 1")); // units only: 'cm' is the centimetre here
        double Q(ConfigNode node, string key, Dimension d, string what) => doc.Quantity(units, node, key, d, what);
        // general_settings
        var settings = new SynapseSettings();
        bool vclamp = true;
        if (top.TryGetValue("general_settings", out var g))
        {
            var f = doc.Fields(g, "general_settings", GeneralKeys);
            foreach (var (key, node) in f)
            {
                string k = $"general_settings.{key}";
                settings = key switch
                {
                    "tstart" => settings with { Tstart = Q(node, k, Dimension.Time, "a time") },
                    "tdur" => settings with { Tdur = Q(node, k, Dimension.Time, "a duration") },
                    "dt" => settings with { Dt = Q(node, k, Dimension.Time, "a time step") },
                    "celsius" => settings with { Celsius = Q(node, k, Dimension.Dimensionless, "degrees Celsius (a number)") },
                    "threshold" => settings with { Threshold = Q(node, k, Volt, "a voltage") },
                    "delay" => settings with { Delay = Q(node, k, Dimension.Time, "the NetCon delay") },
                    "weight" => settings with { Weight = Q(node, k, Siemens, "the NetCon weight, a conductance") },
                    "rise_interval" => settings with { RiseInterval = Pair(doc, node, k, (n, kk) => Q(n, kk, Dimension.Dimensionless, "a fraction")) },
                    "bmtool_compatible" => settings with { BmtoolCompatible = doc.Boolean(node, k) },
                    "threads" => settings with { Threads = doc.Integer(node, k, 0) },
                    _ => settings,
                };
                if (key == "vclamp") vclamp = doc.Boolean(node, k);
            }
        }
        var cell = Part(doc, doc.Required(top, "cell", root, "the synapse file"), "cell", SynapseLibrary.Cell, out var cellValues);
        var synapse = Part(doc, doc.Required(top, "synapse", root, "the synapse file"), "synapse", SynapseLibrary.Synapse, out var synValues);
        Clamp? clamp = null;
        if (vclamp)
        {
            double amp = -0.07, rs = 1e4;
            if (top.TryGetValue("clamp", out var c))
            {
                var f = doc.Fields(c, "clamp", ["vclamp_amp", "rs"]);
                if (f.TryGetValue("vclamp_amp", out var a)) amp = Q(a, "clamp.vclamp_amp", Volt, "the holding potential");
                if (f.TryGetValue("rs", out var r)) rs = Q(r, "clamp.rs", Ohm, "the series resistance");
                if (!(rs > 0)) throw doc.Error(f["rs"], $"clamp.rs: {rs} ohm must be > 0");
            }
            clamp = new VoltageClamp(amp, rs);
        }
        else if (top.TryGetValue("clamp", out var c))
            throw doc.Error(c, "clamp: general_settings.vclamp is false (current clamp), so a voltage clamp's settings do not apply; remove clamp or set vclamp: true");
        var protocolNode = doc.Required(top, "protocol", root, "the synapse file");
        var protocol = ReadProtocol(doc, protocolNode, units, vclamp);
        // check the parameter names and units against the assembled rig (the cell and synapse own them)
        var values = new Dictionary<string, double>();
        try
        {
            using var rig = new SynapseRig(cell, synapse, protocol.Kind == "gap" ? new CurrentClamp() : clamp, settings.Dt, Backend.Interpreted);
            foreach (var (name, (node, value, dim)) in cellValues.Concat(synValues))
            {
                var p = rig.Parameter(name) ?? throw doc.Error(node, $"{name}: not a parameter of the cell or synapse; they have {string.Join(", ", rig.Definition.Namespace.Keys)}");
                if (p != dim) throw doc.Error(node, $"{name}: {ExpressionCompiler.Describe(dim)}, expected {ExpressionCompiler.Describe(p)}");
                values[name] = value;
            }
            foreach (var (name, _) in protocol.Bounds)
                if (rig.Parameter(name) is null)
                    throw doc.Error(protocolNode, $"protocol.bounds: '{name}' is not a parameter of the cell or synapse; they have {string.Join(", ", rig.Definition.Namespace.Keys)}");
        }
        catch (ModelException e) { throw new ExperimentException(source, 0, 0, $"the assembled model: {e.Message}", e); }
        catch (ArgumentException e) { throw new ExperimentException(source, 0, 0, e.Message, e); }
        if (protocol.Kind != "gap" && synapse.OnPre is null)
            throw doc.Error(protocolNode, $"protocol.kind: '{protocol.Kind}' needs presynaptic events, which the gap junction '{synapse.Name}' has none of; use kind: gap");
        if (protocol.Kind == "gap" && synapse.OnPre is not null)
            throw doc.Error(protocolNode, $"protocol.kind: gap needs synapse: {{library: gap}}, not '{synapse.Name}'");
        return new SynapseExperiment(cell, synapse, settings, vclamp, clamp, values, protocol);
    }

    private static (double, double) Pair(DocumentReader doc, ConfigNode node, string key, Func<ConfigNode, string, double> value)
    {
        if (node is not ConfigSequence { Items.Count: 2 } s) throw doc.Error(node, $"{key}: expected a list of two values [low, high]");
        var (a, b) = (value(s.Items[0], $"{key}[0]"), value(s.Items[1], $"{key}[1]"));
        if (!(a < b)) throw doc.Error(node, $"{key}: [{a}, {b}]: lo must be < hi");
        return (a, b);
    }

    private static ModelPart Part(DocumentReader doc, ConfigNode node, string key, Func<string, ModelPart> library,
        out Dictionary<string, (ConfigNode, double, Dimension)> values)
    {
        var f = doc.Fields(node, key, PartKeys);
        var units = ModelAnalyzer.Analyze(new ModelDefinition("x : 1"));
        values = [];
        ModelPart part;
        f.TryGetValue("library", out var lib);
        if (lib is not null)
        {
            if (f.ContainsKey("equations")) throw doc.Error(lib, $"{key}: give library or equations, not both");
            string name = doc.Scalar(lib, $"{key}.library").Text.Trim();
            try { part = library(name); }
            catch (ArgumentException e) { throw doc.Error(lib, $"{key}.library: {e.Message}"); }
        }
        else
        {
            string equations = doc.OptionalText(f, "equations", key) ?? throw doc.Error(node, $"{key}: give library (e.g. {(key == "cell" ? "passive_soma" : "exp2syn")}) or equations");
            part = new ModelPart(key, equations)
            {
                OnPre = doc.OptionalText(f, "on_pre", key),
                EveryStep = doc.OptionalText(f, "every_step", key),
            };
            if (key == "synapse" && part.OnPre is null && !equations.Contains("g_gap"))
                throw doc.Error(node, "synapse: give on_pre, the statements run at each presynaptic event (e.g. g_syn += w)");
        }
        if (f.TryGetValue("parameters", out var p))
        {
            var defaults = new Dictionary<string, string>(part.Parameters);
            foreach (var (name, valueNode) in doc.Fields(p, $"{key}.parameters", null))
            {
                var (value, dim) = doc.Constant(units, valueNode, $"{key}.parameters.{name}");
                values[name] = (valueNode, value, dim);
                if (lib is null) defaults[name] = ((ConfigScalar)valueNode).Text; // a user model's constants and their defaults
            }
            part = part with { Parameters = defaults };
        }
        if (f.TryGetValue("initial", out var init))
            part = part with { Initial = doc.Fields(init, $"{key}.initial", null).ToDictionary(e => e.Key, e => doc.Scalar(e.Value, $"{key}.initial.{e.Key}").Text) };
        return part;
    }

    private static SynapseProtocol ReadProtocol(DocumentReader doc, ConfigNode node, AnalyzedModel units, bool vclamp)
    {
        var f = doc.Fields(node, "protocol", ["kind", "freq", "delay", "freqs", "duration", "iclamp_amp", "conductances", "targets", "bounds", "start", "max_evaluations", "method", "popsize"]);
        string kind = doc.Choice(doc.Required(f, "kind", node, "protocol"), "protocol.kind", Kinds);
        var protocol = new SynapseProtocol(kind);
        double Q(ConfigNode n, string k, Dimension d, string what) => doc.Quantity(units, n, k, d, what);
        double Hz(ConfigNode n, string k) => Q(n, k, Dimension.Dimensionless, "a frequency in Hz (a number, as bmtool's)");
        List<double> List(ConfigNode n, string k, Func<ConfigNode, string, double> item) => n is ConfigSequence s
            ? [.. s.Items.Select((x, i) => item(x, $"{k}[{i}]"))] : throw doc.Error(n, $"{k}: expected a list");
        foreach (var (key, n) in f)
        {
            string k = $"protocol.{key}";
            protocol = key switch
            {
                "freq" => protocol with { Frequency = Hz(n, k) },
                "delay" => protocol with { Delay = Q(n, k, Dimension.Time, "the delay before the recovery pulses") },
                "freqs" => protocol with { Frequencies = List(n, k, Hz) },
                "duration" => protocol with { Duration = Q(n, k, Dimension.Time, "a duration") },
                "iclamp_amp" => protocol with { IclampAmp = Q(n, k, Dimension.Current, "a current") },
                "conductances" => protocol with { Conductances = List(n, k, (x, kk) => Q(x, kk, Siemens, "a conductance")) },
                "start" => protocol with { RandomStart = doc.Choice(n, k, ["middle", "random"]) == "random" },
                "max_evaluations" => protocol with { MaxEvaluations = doc.Integer(n, k, 1) },
                "method" => protocol with { Method = doc.Choice(n, k, [.. Fitting.Optimizers.OptimizerFactory.Methods]) },
                "popsize" => protocol with { PopulationSize = doc.Integer(n, k, 2) },
                "bounds" => protocol with { Bounds = doc.Fields(n, k, null).ToDictionary(e => e.Key, e =>
                    Pair(doc, e.Value, $"{k}.{e.Key}", (x, kk) => doc.Constant(units, x, kk).Value)) },
                "targets" => protocol with { Targets = Targets(doc, n, units, vclamp) },
                _ => protocol,
            };
        }
        var needs = kind switch
        {
            "gap" => ["conductances"],
            "optimize" => new[] { "targets", "bounds" },
            "continuous" => ["freq", "duration"],
            _ => [],
        };
        foreach (var key in needs.Where(k => !f.ContainsKey(k))) throw doc.Error(node, $"protocol: kind {kind} needs '{key}'");
        return protocol;
    }

    private static List<SynapseTarget> Targets(DocumentReader doc, ConfigNode node, AnalyzedModel units, bool vclamp)
    {
        var all = SingleEventProperties.Keys.Concat(SynapseOptimizer.TrainProperties).ToArray();
        var targets = new List<SynapseTarget>();
        foreach (var (name, value) in doc.Fields(node, "protocol.targets", all))
        {
            string k = $"protocol.targets.{name}";
            ConfigNode v = value;
            double weight = 1;
            double? freq = null;
            if (value is ConfigMapping)
            {
                var f = doc.Fields(value, k, ["value", "weight", "freq"]);
                v = doc.Required(f, "value", value, k);
                if (f.TryGetValue("weight", out var w)) weight = doc.Quantity(units, w, $"{k}.weight", Dimension.Dimensionless, "a number");
                if (f.TryGetValue("freq", out var fr)) freq = doc.Quantity(units, fr, $"{k}.freq", Dimension.Dimensionless, "a frequency in Hz");
            }
            var expected = name switch
            {
                "latency" or "rise_time" or "decay_time" or "half_width" => (Dimension.Time, "a time"),
                "amp" or "baseline" => vclamp ? (Dimension.Current, "a current (the clamp current)") : (Dimension.Current, "a current (the synaptic current)"),
                "current_integral" => (Dimension.Current * Dimension.Time, "a charge (current × time)"),
                _ => (Dimension.Dimensionless, "a number"),
            };
            double target = doc.Quantity(units, v, k, expected.Item1, expected.Item2);
            if (SynapseOptimizer.TrainProperties.Contains(name) && freq is null) throw doc.Error(value, $"{k}: a train measure needs {{value: ..., freq: Hz}}");
            targets.Add(new SynapseTarget(name, target, weight, freq));
        }
        return targets;
    }
}

/// <summary>The results of a synapse file: what the protocol measured, for the caller to draw.</summary>
public sealed record SynapseRunResult(SynapseExperiment Experiment, IReadOnlyList<string> Files)
{
    public SingleEventResult? Single { get; init; }
    public TrainResult? Train { get; init; }
    public FrequencyResponse? Frequency { get; init; }
    public GapJunctionResult? Gap { get; init; }
    public SynapseOptimizationResult? Optimization { get; init; }
}

/// <summary>Runs a <see cref="SynapseExperiment"/> into a directory: properties.json (SI) and the traces as NPY.</summary>
public static class SynapseRunner
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static SynapseRunResult Run(SynapseExperiment e, string outDir, CancellationToken cancellation = default)
    {
        // Each file complete or absent (written atomically); an unwritable directory is reported before the run.
        var output = ExperimentOutput.Open(outDir);
        var files = new List<string>();
        var props = new Dictionary<string, object> { ["protocol"] = e.Protocol.Kind, ["units"] = "SI: seconds, amperes, volts, siemens" };
        var sets = new[] { (IReadOnlyDictionary<string, double>)e.Parameters };
        var result = new SynapseRunResult(e, files);
        void Traces(SynapseTraces t)
        {
            foreach (var (name, data) in new[] { ("time", t.Time), ("v", t.V), ("i_syn", t.SynapticCurrent), ("i_clamp", t.ClampCurrent) })
            {
                output.WriteArray($"{name}.npy", data, data.Length);
                files.Add(Path.Combine(output.Directory, $"{name}.npy"));
            }
        }
        if (e.Protocol.Kind == "gap")
        {
            using var gap = new GapJunctionTuner(e.Cell, e.Protocol.IclampAmp, e.Settings, e.Synapse);
            var r = gap.Sweep(e.Protocol.Conductances, e.Parameters, cancellation);
            props["conductances"] = r.Conductances;
            props["cc"] = r.CouplingCoefficients;
            props["delta_v1"] = r.DeltaV1;
            props["delta_v2"] = r.DeltaV2;
            result = result with { Gap = r };
        }
        else
        {
            using var tuner = new SynapseTuner(e.Cell, e.Synapse, e.Settings, e.Clamp);
            switch (e.Protocol.Kind)
            {
                case "single":
                {
                    var r = tuner.SingleEvent(sets)[0];
                    foreach (var key in SingleEventProperties.Keys) props[key] = r.Properties[key];
                    props["peak_time"] = r.Properties.PeakTime;
                    props["latency_10pct"] = r.Properties.Latency10;
                    Traces(r.Traces);
                    result = result with { Single = r };
                    break;
                }
                case "train":
                case "continuous":
                {
                    var r = e.Protocol.Kind == "train"
                        ? tuner.Train(e.Protocol.Frequency, e.Protocol.Delay, sets)[0]
                        : tuner.Continuous(e.Protocol.Frequency, e.Protocol.Duration, sets)[0];
                    props["frequency"] = r.Frequency;
                    props["event_times"] = r.EventTimes;
                    props["amplitudes"] = r.Properties.Amplitudes;
                    if (e.Protocol.Kind == "train")
                    {
                        props["ppr"] = r.Properties.Ppr;
                        props["induction"] = r.Properties.Induction;
                        props["recovery"] = r.Properties.Recovery;
                    }
                    Traces(r.Traces!);
                    result = result with { Train = r };
                    break;
                }
                case "frequency":
                {
                    var r = tuner.FrequencyResponse(e.Protocol.Frequencies, e.Protocol.Delay, sets, cancellation);
                    props["frequencies"] = r.Frequencies;
                    props["ppr"] = r.Ppr();
                    props["induction"] = r.Induction();
                    props["recovery"] = r.Recovery();
                    props["amplitudes"] = r.Trains[0].Select(t => t.Amplitudes).ToList();
                    result = result with { Frequency = r };
                    break;
                }
                case "optimize":
                {
                    var r = SynapseOptimizer.Optimize(tuner, e.Protocol.Targets, e.Protocol.Bounds, e.Protocol.RandomStart,
                        maxEvaluations: e.Protocol.MaxEvaluations, recoveryDelay: e.Protocol.Delay, method: e.Protocol.Method,
                        populationSize: e.Protocol.PopulationSize, cancellation: cancellation);
                    props["parameters"] = r.Parameters;
                    props["achieved"] = r.Achieved;
                    props["targets"] = e.Protocol.Targets.ToDictionary(t => t.Frequency is { } f && SynapseOptimizer.TrainProperties.Contains(t.Property) ? $"{t.Property}@{f}Hz" : t.Property, t => t.Value);
                    props["error"] = r.Error;
                    props["evaluations"] = r.History.Count;
                    var names = e.Protocol.Bounds.Keys.ToList();
                    output.WriteText("history.csv", string.Concat(new[] { string.Join(",", names.Append("error")) }
                        .Concat(r.History.Select(h => string.Join(",", names.Select(n => h.Parameters[n].ToString("R", System.Globalization.CultureInfo.InvariantCulture))
                            .Append(h.Error.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))))
                        .Select(line => line + "\n")));
                    files.Add(Path.Combine(output.Directory, "history.csv"));
                    result = result with { Optimization = r };
                    break;
                }
            }
        }
        output.WriteText("properties.json", JsonSerializer.Serialize(props, Json));
        files.Insert(0, Path.Combine(output.Directory, "properties.json"));
        return result;
    }
}
