using NeuroNative.Models;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Fitting;

/// <summary>Recorded traces of one variable: a row per trace (stimulus), equally long, SI values of <see cref="Unit"/>.</summary>
public sealed record Traces(IReadOnlyList<double[]> Rows, Dimension Unit)
{
    public int Count => Rows.Count;
    public int Samples => Rows.Count == 0 ? 0 : Rows[0].Length;
}

/// <summary>How the model is simulated on the input traces (brian2modelfitting's fitter arguments, less the fit's).</summary>
public record SimulationSettings
{
    /// <summary>The sampling step of the traces, also the simulation's time step (s).</summary>
    public required double Dt { get; init; }
    /// <summary>Brian's method; null: the model's (or Brian's default choice).</summary>
    public string? Method { get; init; }
    public string? Threshold { get; init; }
    public string? Reset { get; init; }
    public string? Refractory { get; init; }
    /// <summary>Initial values of state variables or parameters, set before every run: expressions with units
    /// (<c>-65*mV</c>), which may use other variables (<c>EL + 2*mV</c>); a value is written as its expression.</summary>
    public IReadOnlyDictionary<string, string> ParamInit { get; init; } = new Dictionary<string, string>();
    public Backend Backend { get; init; } = Backend.Auto;
    /// <summary>0: every hardware thread.</summary>
    public int Threads { get; init; }
}

/// <summary>What each run of a <see cref="SimulationBatch"/> records.</summary>
public sealed record BatchRecording
{
    /// <summary>Variables (state variables or subexpressions) recorded every step: <see cref="BatchResult.Traces"/>.</summary>
    public IReadOnlyList<string> Traces { get; init; } = [];
    /// <summary>Spike times kept per neuron by the native SPIKE_TIMES reducer (the first <see cref="SpikeCapacity"/>,
    /// with the exact count beside them); 0: no spikes.</summary>
    public int SpikeCapacity { get; init; }
    /// <summary>Output variables whose mean squared error against the simulator's targets the native reducer computes
    /// while the run goes, from the given start time (s) on: memory independent of the traces' length.</summary>
    public IReadOnlyDictionary<string, double> MeanSquaredError { get; init; } = new Dictionary<string, double>();
    /// <summary>Variables read at the end of the run (a penalty).</summary>
    public IReadOnlyList<string> Final { get; init; } = [];

    /// <summary>Equal when they record the same (the lists by content).</summary>
    public bool Equals(BatchRecording? other) => other is not null && Traces.SequenceEqual(other.Traces) && SpikeCapacity == other.SpikeCapacity
        && MeanSquaredError.Count == other.MeanSquaredError.Count && MeanSquaredError.All(m => other.MeanSquaredError.TryGetValue(m.Key, out double s) && s == m.Value)
        && Final.SequenceEqual(other.Final);

    public override int GetHashCode() => HashCode.Combine(Traces.Count, SpikeCapacity, MeanSquaredError.Count, Final.Count);
}

/// <summary>
/// One batched run: <see cref="Sets"/> parameter sets × <see cref="TraceCount"/> traces, neuron j being set
/// j / TraceCount on trace j % TraceCount (brian2modelfitting's layout). Every array is per neuron in that order.
/// </summary>
public sealed record BatchResult(int Sets, int TraceCount,
    IReadOnlyDictionary<string, double[][]> Traces,
    IReadOnlyList<double[]>? Spikes,
    long[]? SpikeCounts,
    IReadOnlyDictionary<string, double[]> MeanSquaredError,
    IReadOnlyDictionary<string, double[]> Final)
{
    /// <summary>A recorded variable as [set][trace][sample].</summary>
    public double[][][] TracesOf(string variable) => PerSet(Traces[variable]);

    /// <summary>Spike times (s) as [set][trace][spike].</summary>
    public double[][][] SpikesPerSet() => PerSet(Spikes ?? throw new InvalidOperationException("the batch recorded no spikes"));

    private T[][] PerSet<T>(IReadOnlyList<T> perNeuron) =>
        [.. Enumerable.Range(0, Sets).Select(s => Enumerable.Range(0, TraceCount).Select(r => perNeuron[s * TraceCount + r]).ToArray())];
}

/// <summary>
/// A model simulated on named input traces, compiled once, for batches of parameter sets: what every fitter (and the
/// simulation-based inference) runs each round. The model uses each input variable without defining it; the simulator
/// defines it as a 2-D TimedArray of the traces (<c>I = I_input_traces(t, i % n_traces)</c>, brian2modelfitting's
/// construction), adds each target's <c>&lt;var&gt;_target</c> the same way and the shared constant <c>iteration</c>
/// (unless the model declares them), and compiles the result once. <see cref="CreateBatch"/> makes one group of
/// sets × traces neurons, reset and rerun for every batch.
/// </summary>
public sealed class BatchedTraceSimulator : IDisposable
{
    /// <summary>The shared constant brian2modelfitting adds to every model: the fit's round (1e9 when generating).</summary>
    public const string IterationVariable = "iteration";

    private readonly CompiledModel _compiled;

    /// <param name="targets">Recorded outputs, a row per trace: each becomes <c>&lt;var&gt;_target</c> in the model, and
    /// the targets of the native MSE reducer (<see cref="BatchRecording.MeanSquaredError"/>).</param>
    public BatchedTraceSimulator(ModelDefinition model, IReadOnlyDictionary<string, Traces> input, SimulationSettings settings,
        IReadOnlyDictionary<string, Traces>? targets = null, int expectedSets = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(settings);
        if (!(settings.Dt > 0) || !double.IsFinite(settings.Dt)) throw new FitException($"dt: must be a positive time, not {settings.Dt}");
        if (input.Count == 0) throw new FitException("input: give at least one input variable with its traces");
        targets ??= new Dictionary<string, Traces>();
        var (firstName, first) = input.First();
        foreach (var (name, traces) in input) CheckTraces("input", name, traces);
        foreach (var (name, traces) in targets) CheckTraces("output", name, traces);
        foreach (var (role, name, traces) in input.Skip(1).Select(p => ("input", p.Key, p.Value)).Concat(targets.Select(p => ("output", p.Key, p.Value))))
        {
            if (traces.Count != first.Count)
                throw new FitException($"input.{firstName} has {first.Count} traces but {role}.{name} has {traces.Count}; give one {role} trace per input trace");
            if (traces.Samples != first.Samples)
                throw new FitException($"input.{firstName} traces have {first.Samples} samples but {role}.{name} traces have {traces.Samples}; they must be equally long");
        }
        var equations = ModelParser.ParseEquations(model.Equations).Equations;
        foreach (string name in input.Keys)
            if (equations.FirstOrDefault(e => e.Name == name) is { } defined)
                throw new FitException($"input.{name}: the model defines '{name}' (line '{defined.Span.Slice(model.Equations).Trim()}'); " +
                    "the input variable must be used in the equations but not defined there (the fitter defines it from the input traces)");

        Source = model;
        TraceCount = first.Count;
        Steps = first.Samples;
        Settings = settings;
        Inputs = input;
        Targets = targets;
        var ns = new Dictionary<string, NamespaceValue>(model.Namespace);
        var added = new List<string>();
        void Define(string variable, string array, Traces traces)
        {
            var values = new double[Steps * TraceCount];
            for (int k = 0; k < Steps; k++)
                for (int r = 0; r < TraceCount; r++) values[k * TraceCount + r] = traces.Rows[r][k];
            ns[array] = new TimedArray(values, TraceCount, settings.Dt, traces.Unit);
            added.Add($"{variable} = {array}(t, i % {TraceCount}) : {UnitText(traces.Unit)}");
        }
        foreach (var (name, traces) in input) Define(name, $"{name}_input_traces", traces);
        foreach (var (name, traces) in targets)
            if (equations.All(e => e.Name != $"{name}_target")) Define($"{name}_target", $"{name}_target_traces", traces);
        if (equations.All(e => e.Name != IterationVariable)) added.Add($"{IterationVariable} : integer (constant, shared)");
        Model = model with
        {
            Equations = $"{model.Equations.TrimEnd()}\n{string.Join("\n", added)}\n",
            Namespace = ns,
            Method = settings.Method ?? model.Method,
            Threshold = settings.Threshold ?? model.Threshold,
            Reset = settings.Reset ?? model.Reset,
            Refractory = settings.Refractory ?? model.Refractory,
        };
        _compiled = CompiledModel.Compile(Model, new CompileOptions
        {
            Backend = settings.Backend, Threads = settings.Threads, Dt = settings.Dt,
            ExpectedNeuronSteps = (double)Math.Max(1, expectedSets) * TraceCount * Steps * 10,
        });
        foreach (string name in settings.ParamInit.Keys.Where(n => _compiled.Model.States.All(s => s.Name != n) && _compiled.Model.Parameters.All(p => p.Name != n)))
        {
            _compiled.Dispose();
            throw new FitException($"param_init.{name}: not a state variable or parameter of the model (state variables: " +
                $"{string.Join(", ", _compiled.Model.States.Select(s => s.Name))})");
        }
    }

    /// <summary>Traces that are not all equally long, or hold a NaN or an infinity, are a <see cref="FitException"/>
    /// naming <paramref name="role"/>.<paramref name="name"/>.</summary>
    internal static void CheckTraces(string role, string name, Traces traces)
    {
        if (traces.Count == 0) throw new FitException($"{role}.{name}: no traces");
        for (int r = 0; r < traces.Count; r++)
        {
            if (traces.Rows[r].Length != traces.Samples)
                throw new FitException($"{role}.{name}: trace {r} has {traces.Rows[r].Length} samples, trace 0 has {traces.Samples}; traces must be equally long");
            int bad = Array.FindIndex(traces.Rows[r], v => !double.IsFinite(v));
            if (bad >= 0) throw new FitException($"{role}.{name}: trace {r}, sample {bad} is {traces.Rows[r][bad]}; expected a finite number");
        }
    }

    internal static string UnitText(Dimension d) => d == Dimension.Dimensionless ? "1" : d.ToBrianString();

    /// <summary>The model as given (to build another simulator of it, e.g. with sensitivity equations added).</summary>
    public ModelDefinition Source { get; }
    /// <summary>The model as simulated (inputs, targets and <c>iteration</c> defined).</summary>
    public ModelDefinition Model { get; }
    public Models.Analysis.AnalyzedModel Analyzed => _compiled.Model;
    /// <summary>The compiled model, whose step program the sensitivity equations augment (<see cref="TraceSensitivities"/>).</summary>
    internal CompiledModel Compiled => _compiled;
    public SimulationSettings Settings { get; }
    public IReadOnlyDictionary<string, Traces> Inputs { get; }
    public IReadOnlyDictionary<string, Traces> Targets { get; }
    public int TraceCount { get; }
    /// <summary>Steps of every run: the traces' length.</summary>
    public long Steps { get; }
    public double Duration => Steps * Settings.Dt;

    /// <summary>A group of <paramref name="sets"/> × <see cref="TraceCount"/> neurons that records
    /// <paramref name="recording"/>, for as many batches of that size as asked (microseconds: the model is compiled).</summary>
    public SimulationBatch CreateBatch(int sets, BatchRecording recording)
    {
        if (sets < 1) throw new FitException($"sets: a batch needs 1 or more parameter sets, not {sets}");
        ArgumentNullException.ThrowIfNull(recording);
        return new SimulationBatch(this, _compiled.CreateGroup(checked(sets * TraceCount), new GroupOptions { Dt = Settings.Dt, Threads = Settings.Threads }),
            sets, recording);
    }

    public void Dispose() => _compiled.Dispose();
}

/// <summary>A group of one <see cref="BatchedTraceSimulator"/> for batches of a fixed number of parameter sets,
/// with its monitors and reducers; each <see cref="Run"/> resets it first, so runs are independent.</summary>
public sealed class SimulationBatch : IDisposable
{
    private readonly BatchedTraceSimulator _simulator;
    private readonly NeuronGroup _group;
    private readonly BatchRecording _recording;
    private readonly StateMonitor? _monitor;
    private readonly Reducer? _spikeTimes, _spikeCount;
    private readonly Dictionary<string, Reducer> _mse = [];

    internal SimulationBatch(BatchedTraceSimulator simulator, NeuronGroup group, int sets, BatchRecording recording)
    {
        _simulator = simulator;
        _group = group;
        _recording = recording;
        Sets = sets;
        try
        {
            foreach (string v in recording.Traces.Concat(recording.MeanSquaredError.Keys).Concat(recording.Final))
                if (simulator.Analyzed.States.All(s => s.Name != v) && simulator.Analyzed.Subexpressions.All(s => s.Name != v) && simulator.Analyzed.Parameters.All(p => p.Name != v))
                    throw new FitException($"output.{v}: not a state variable or subexpression of the model (state variables: " +
                        $"{string.Join(", ", simulator.Analyzed.States.Select(s => s.Name))})");
            if (recording.Traces.Count > 0) _monitor = group.Record(recording.Traces);
            if (recording.SpikeCapacity > 0)
            {
                if (simulator.Analyzed.Threshold is null) throw new FitException("threshold: the model has no threshold, so it cannot spike; give one");
                _spikeTimes = group.ReduceSpikes(Reduction.SpikeTimes, capacity: recording.SpikeCapacity);
                _spikeCount = group.ReduceSpikes(Reduction.SpikeCount);
            }
            foreach (var (variable, start) in recording.MeanSquaredError)
            {
                if (!simulator.Targets.TryGetValue(variable, out var target))
                    throw new FitException($"output.{variable}: no target traces for its mean squared error");
                int first = (int)Math.Round(start / simulator.Settings.Dt);
                if (first >= simulator.Steps) throw new FitException($"t_start: {start} s is not before the traces' end ({simulator.Duration} s)");
                _mse[variable] = group.MeanSquaredError(variable, [.. target.Rows.Select(row => row[first..])], new TimeWindow(first * simulator.Settings.Dt));
            }
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    public int Sets { get; }
    public int Neurons => _group.N;
    public BatchRecording Recording => _recording;

    /// <summary>Runs the traces' length with parameter set s = <paramref name="sets"/>[s] (values of
    /// <paramref name="names"/>, SI) on every trace, after a reset, the settings' ParamInit and
    /// <c>iteration</c> = <paramref name="iteration"/>.</summary>
    public BatchResult Run(IReadOnlyList<string> names, IReadOnlyList<IReadOnlyList<double>> sets, double iteration = 0,
        CancellationToken cancellation = default)
    {
        if (sets.Count != Sets) throw new FitException($"sets: this batch runs {Sets} parameter sets, not {sets.Count}");
        int traces = _simulator.TraceCount, n = _group.N;
        _group.Reset();
        var column = new double[n];
        for (int k = 0; k < names.Count; k++)
        {
            for (int j = 0; j < n; j++)
            {
                var set = sets[j / traces];
                if (set.Count != names.Count) throw new FitException($"sets: parameter set {j / traces} has {set.Count} values for {names.Count} names");
                column[j] = set[k];
            }
            _group.Set(names[k], column);
        }
        _group.Set(BatchedTraceSimulator.IterationVariable, iteration);
        foreach (var (variable, expression) in _simulator.Settings.ParamInit) _group.Set(variable, expression);
        _group.RunSteps(_simulator.Steps, null, cancellation);
        var recorded = _recording.Traces.ToDictionary(v => v, v => _monitor!.Get(v).Values);
        IReadOnlyList<double[]>? spikes = null;
        long[]? counts = null;
        if (_spikeTimes is not null)
        {
            spikes = [.. _spikeTimes.Rows.Select(row => row.Where(double.IsFinite).ToArray())];
            counts = [.. _spikeCount!.Values.Select(c => (long)c)];
        }
        return new BatchResult(Sets, traces, recorded, spikes, counts,
            _mse.ToDictionary(m => m.Key, m => m.Value.Values), _recording.Final.ToDictionary(v => v, v => _group.Get(v)));
    }

    /// <summary><see cref="Run"/> with the parameters by name.</summary>
    public BatchResult Run(IReadOnlyList<IReadOnlyDictionary<string, double>> sets, double iteration = 0, CancellationToken cancellation = default)
    {
        if (sets.Count == 0) throw new FitException("sets: give at least one parameter set");
        var names = sets[0].Keys.ToArray();
        return Run(names, [.. sets.Select(s => names.Select(k => s.TryGetValue(k, out double v) ? v
            : throw new FitException($"sets: a parameter set lacks '{k}', which the first set gives")).ToArray())], iteration, cancellation);
    }

    public void Dispose() => _group.Dispose();
}
