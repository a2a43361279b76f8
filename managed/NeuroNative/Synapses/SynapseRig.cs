using System.Text;
using System.Text.RegularExpressions;
using NeuroNative.Models;
using NeuroNative.Models.Units;

namespace NeuroNative.Synapses;

/// <summary>The electrode on the cell: <see cref="VoltageClamp"/>, <see cref="CurrentClamp"/>, or none.</summary>
public abstract record Clamp
{
    internal abstract string Equation { get; }
    internal abstract IReadOnlyDictionary<string, string> Parameters { get; }
}

/// <summary>NEURON's SEClamp with one level for the whole run: i = (amp − v)/rs, into the cell. Amplitude in volts,
/// series resistance in ohms (bmtool's <c>vclamp_amp</c>, <c>rs</c>).</summary>
public sealed record VoltageClamp(double Amplitude = -0.07, double SeriesResistance = 1e4) : Clamp
{
    internal override string Equation => "i_clamp = (vclamp_amp - v)/rs : amp";
    internal override IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["vclamp_amp"] = SynapseRig.Si(Amplitude, "volt"), ["rs"] = SynapseRig.Si(SeriesResistance, "ohm"),
    };
}

/// <summary>NEURON's IClamp: <see cref="Amplitude"/> amperes into the cell from <see cref="Start"/> for
/// <see cref="Duration"/> seconds (0 amperes: a plain current-clamp recording).</summary>
public sealed record CurrentClamp(double Amplitude = 0, double Start = 0, double Duration = 1e9) : Clamp
{
    internal override string Equation => "i_clamp = iclamp_amp*int(t >= iclamp_start)*int(t < iclamp_start + iclamp_dur) : amp";
    internal override IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["iclamp_amp"] = SynapseRig.Si(Amplitude, "amp"), ["iclamp_start"] = SynapseRig.Si(Start, "second"),
        ["iclamp_dur"] = SynapseRig.Si(Duration, "second"),
    };
}

/// <summary>
/// A cell, a synapse on it and a clamp, assembled into one model in which every constant can differ per neuron: a
/// batch of many parameter sets and protocols is one <see cref="NeuronGroup"/>, a neuron per combination, each with
/// its own scheduled presynaptic events. Integrated with exponential Euler, which the clamp's series resistance
/// (rs·C ≈ 0.1 µs, far below dt) needs: an explicit method would diverge.
/// </summary>
public sealed class SynapseRig : IDisposable
{
    private static readonly Dimension Volt = new(2, 1, -3, -1, 0, 0, 0);
    private static readonly Dimension Siemens = new(-2, -1, 3, 2, 0, 0, 0);
    private readonly CompiledModel _compiled;

    public SynapseRig(ModelPart cell, ModelPart synapse, Clamp? clamp, double dt, Backend backend = Backend.Auto)
    {
        Cell = cell;
        Synapse = synapse;
        Clamp = clamp;
        Dt = dt;
        if (!(dt > 0)) throw new ArgumentOutOfRangeException(nameof(dt), dt, "dt must be a positive number of seconds");
        Definition = Build(cell, synapse, clamp);
        _compiled = CompiledModel.Compile(Definition, new CompileOptions { Backend = backend, Dt = dt });
        if (!_compiled.Model.States.Any(s => s.Name == "v" && s.Dimension == Volt))
            throw new ArgumentException($"cell '{cell.Name}' has no membrane potential: a synapse rig needs a state variable v in volts");
    }

    public ModelPart Cell { get; }
    public ModelPart Synapse { get; }
    public Clamp? Clamp { get; }
    public double Dt { get; }
    public ModelDefinition Definition { get; }
    public bool IsGap => Synapse.OnPre is null;

    /// <summary>The unit of a constant of the rig, null if it has none of that name.</summary>
    public Models.Units.Dimension? Parameter(string name) =>
        _compiled.Model.Parameters.FirstOrDefault(p => p.Name == name) is { } p ? p.Dimension : null;

    internal static string Si(double value, string unit) => $"{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}*{unit}";

    private static ModelDefinition Build(ModelPart cell, ModelPart synapse, Clamp? clamp)
    {
        foreach (var name in new[] { "v", "i_syn", "i_clamp" })
            if (!Regex.IsMatch(cell.Equations, $@"\b{name}\b"))
                throw new ArgumentException($"cell '{cell.Name}': its equations must use '{name}'" + (name == "v"
                    ? " (the membrane potential in volts)"
                    : $" (the {(name == "i_syn" ? "synapse's membrane current, positive outward" : "electrode current, positive into the cell")}, in amperes)"));
        var eq = new StringBuilder(cell.Equations.Trim()).Append('\n').Append(synapse.Equations.Trim()).Append('\n');
        var ns = new Dictionary<string, NamespaceValue>();
        void AddParameters(IReadOnlyDictionary<string, string> parameters, string owner)
        {
            foreach (var (k, value) in parameters)
                if (!ns.TryAdd(k, value))
                    throw new ArgumentException($"{owner} defines '{k}', which the cell or synapse already defines; rename one of them");
        }
        AddParameters(cell.Parameters, $"cell '{cell.Name}'");
        AddParameters(synapse.Parameters, $"synapse '{synapse.Name}'");
        eq.Append((clamp ?? new CurrentClamp()).Equation).Append('\n');
        AddParameters((clamp ?? new CurrentClamp()).Parameters, "the clamp");
        if (synapse.OnPre is null) eq.Append(SecondCell(cell)); // a gap junction: the coupled copy of the cell
        return new ModelDefinition(eq.ToString())
        {
            Namespace = ns,
            PerNeuronConstants = [.. ns.Keys],
            Method = "exponential_euler",
            Events = synapse.OnPre is { } code ? [new EventDefinition(code, "w", Siemens), new EventDefinition(RestCode(cell, synapse), "rest_value")] : [],
            RunRegularly = synapse.EveryStep is { } every ? [new RunRegularly(every)] : [],
        };
    }

    /// <summary>Event 1 ("rest"): every state variable and every non-constant parameter of the cell and synapse back to
    /// its initial value (0 unless the part gives one), so that one neuron can run several protocols one after another,
    /// each from the state a new neuron starts in.</summary>
    private static string RestCode(ModelPart cell, ModelPart synapse)
    {
        var parts = new[] { cell, synapse };
        var zero = parts.SelectMany(p => Regex.Matches(p.Equations, @"^\s*(?:d(\w+)/dt\s*=|(\w+)\s*:(?![^\n]*\(constant))", RegexOptions.Multiline)
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))
            .Where(n => !parts.Any(p => p.Initial.ContainsKey(n))).Distinct();
        return string.Join("\n", zero.Select(n => $"{n} = 0*{n}").Concat(parts.SelectMany(p => p.Initial.Select(i => $"{i.Key} = {i.Value}"))));
    }

    /// <summary>The cell's own names (states, subexpressions) with the suffix _2, its constants shared; its synaptic
    /// current is the gap current seen from the other side and it has no electrode.</summary>
    private static string SecondCell(ModelPart cell)
    {
        var own = Regex.Matches(cell.Equations, @"^\s*(?:d(\w+)/dt|(\w+))\s*[=:]", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
            .Concat(["i_syn", "i_clamp"]).ToHashSet();
        string copy = Regex.Replace(cell.Equations.Trim(), @"\bd(\w+)/dt\b|\b[A-Za-z_]\w*\b", m => m.Groups[1].Success
            ? own.Contains(m.Groups[1].Value) ? $"d{m.Groups[1].Value}_2/dt" : m.Value
            : own.Contains(m.Value) ? m.Value + "_2" : m.Value);
        return copy + "\ni_syn_2 = g_gap*(v_2 - v) : amp\ni_clamp_2 = 0*amp : amp\n";
    }

    /// <summary>A group of <paramref name="n"/> neurons at rest: the defaults, then the per-neuron values of
    /// <paramref name="parameters"/> (SI), then the initial values of the parts (v = e_pas, R = 1, ...).</summary>
    public NeuronGroup CreateGroup(int n, IReadOnlyDictionary<string, double[]>? parameters = null, int threads = 1)
    {
        var group = _compiled.CreateGroup(n, new GroupOptions { Dt = Dt, Threads = threads });
        try
        {
            foreach (var (name, values) in parameters ?? new Dictionary<string, double[]>())
            {
                if (!Definition.Namespace.ContainsKey(name))
                    throw new ArgumentException($"'{name}' is not a parameter of the rig; it has {string.Join(", ", Definition.Namespace.Keys)}");
                if (values.Length != n) throw new ArgumentException($"'{name}' has {values.Length} values for {n} neurons");
                group.Set(name, values);
            }
            foreach (var part in new[] { Cell, Synapse })
                foreach (var (name, value) in part.Initial)
                    group.Set(name, value);
            if (IsGap)
                foreach (var (name, value) in Cell.Initial) group.Set(name + "_2", value);
            return group;
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    public void Dispose() => _compiled.Dispose();
}
