using System.Diagnostics;
using NeuroNative.Backends.Cpp;
using NeuroNative.Backends.Reference;
using NeuroNative.Interop;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;

namespace NeuroNative;

/// <summary>Which engine runs a group's step code.</summary>
public enum Backend
{
    /// <summary>The best available: the compiled backend when it pays for its compile, else the interpreter.</summary>
    Auto,
    /// <summary>Native bytecode interpreter: no compiler, no start-up cost.</summary>
    Interpreted,
    /// <summary>Generated C++ compiled by the host compiler (cached on disk): fastest for long runs.</summary>
    Compiled,
    /// <summary>The GPU (CUDA driver and NVRTC loaded at run time, docs/gpu.md): never chosen by <see cref="Auto"/>.
    /// Groups run on it through <see cref="Backends.Cuda.GpuSimulation"/>; without a GPU, a clear error.</summary>
    Cuda,
}

/// <summary>Everything about one group made by the <see cref="NeuronGroup(int, ModelDefinition, SimulationOptions?)"/>
/// shortcut, which compiles its own model: <see cref="Dt"/> in seconds (Brian's default 0.1 ms);
/// <see cref="Threads"/> 0 uses every hardware thread; a seed gives the same numbers on every backend
/// and thread count. To run one model many times, compile it once with <see cref="CompiledModel"/>.</summary>
public sealed record SimulationOptions
{
    public double Dt { get; init; } = 1e-4;
    public ulong Seed { get; init; }
    public int Threads { get; init; }
    public Backend Backend { get; init; } = Backend.Auto;
    /// <summary>Arithmetic of the compiled backend's right-hand sides (Float32 needs the compiled backend).</summary>
    public Precision Precision { get; init; } = Precision.Float64;
    /// <summary>How long the group will be run, in seconds: lets <see cref="Backend.Auto"/> weigh the compile.</summary>
    public double? ExpectedDuration { get; init; }
    /// <summary>Where compiled kernels are cached; null: NEURONATIVE_CACHE, XDG_CACHE_HOME/neuronative or ~/.cache/neuronative.</summary>
    public string? KernelCacheDirectory { get; init; }
    /// <summary>The C++ compiler (path or command); null: CXX, else clang++-14, clang++ or g++ from the PATH.</summary>
    public string? Compiler { get; init; }
    /// <summary>Compile the kernel even when the cache holds it.</summary>
    public bool ForceRebuild { get; init; }

    internal CompileOptions CompileOptions(int n) => new()
    {
        Backend = Backend,
        Precision = Precision,
        ExpectedNeuronSteps = ExpectedDuration is { } d ? n * Math.Round(d / Dt) : null,
        Dt = Dt,
        Threads = Threads,
        KernelCacheDirectory = KernelCacheDirectory,
        Compiler = Compiler,
        ForceRebuild = ForceRebuild,
    };

    internal GroupOptions GroupOptions => new() { Dt = Dt, Seed = Seed, Threads = Threads };
}

/// <summary>Speed and size of one <see cref="NeuronGroup.Run"/>.</summary>
public sealed record RunStatistics(long Steps, double SimulationSeconds, long Neurons)
{
    public double NeuronStepsPerSecond => SimulationSeconds > 0 ? Steps * (double)Neurons / SimulationSeconds : 0;
}

/// <summary>
/// N independent neurons of one model (Brian's NeuronGroup): per-neuron parameters and initial values,
/// monitors, and runs that can be continued. The step loop runs in the native core.
/// </summary>
public sealed class NeuronGroup : IDisposable
{
    private readonly CompiledModel _compiled;
    private readonly bool _ownsModel;
    private readonly SimulationHandle _sim;
    private SpikeMonitor? _spikeMonitor;
    private int _evaluations; // each per-neuron evaluation draws from fresh random streams
    private double? _runEnd; // Brian's network time after the last Run: the durations summed, not steps·dt

    /// <summary>Runs begun (and snapshots restored) so far: a monitor made after the last one has not run yet.</summary>
    internal long Runs { get; private set; }

    /// <summary>Compiles <paramref name="model"/> for this group alone (see <see cref="CompiledModel"/> to share it).</summary>
    public NeuronGroup(int n, ModelDefinition model, SimulationOptions? options = null)
        : this(CompileFor(n, model, options ?? new SimulationOptions()), n, (options ?? new SimulationOptions()).GroupOptions, ownsModel: true)
    {
    }

    internal NeuronGroup(CompiledModel compiled, int n, GroupOptions options, bool ownsModel)
    {
        try
        {
            if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "a group needs at least one neuron");
            CheckOptions(options);
            compiled.Program.CheckDt(options.Dt);
            CheckOperationClocks(compiled.Model, options.Dt);
            _compiled = compiled;
            _ownsModel = ownsModel;
            N = n;
            Settings = options;
            _sim = Native.SimulationCreate(compiled.Handle, n, options.Dt, options.Seed, options.FirstNeuron, options.TotalNeurons);
            Threads = options.Threads == 0 ? Native.HardwareThreads() : options.Threads;
            Native.SetThreads(_sim, Threads);
            for (int p = 0; p < Model.Parameters.Count; p++)
                if (Model.Parameters[p].Default is { } value)
                    Native.SetArray(_sim, nn_array_kind.NN_ARRAY_PARAM, p, [value]);
            for (int k = 0; k < Model.Inputs.Count; k++)
            {
                var array = Model.Inputs[k].Array;
                Native.SetInput(_sim, k, array.Values, array.Columns, array.Dt);
            }
        }
        catch
        {
            _sim?.Dispose();
            if (ownsModel) compiled.Dispose();
            throw;
        }
    }

    private static CompiledModel CompileFor(int n, ModelDefinition model, SimulationOptions options)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "a group needs at least one neuron");
        CheckOptions(options.GroupOptions);
        return CompiledModel.Compile(model, options.CompileOptions(n));
    }

    /// <summary>An operation's dt must be a whole multiple of the group's (Brian's clocks then tick together).</summary>
    private static void CheckOperationClocks(AnalyzedModel model, double dt)
    {
        foreach (var o in model.Operations)
        {
            if (o.Dt is not { } d) continue;
            double steps = Math.Round(d / dt);
            if (steps < 1 || Math.Abs(steps * dt - d) > 1e-4 * dt)
                throw new ArgumentException($"{o.Context} has dt {d} s, which is not a whole multiple of the group's dt " +
                    $"{dt} s; give a multiple (e.g. {Math.Max(1, steps) * dt} s)", nameof(dt));
        }
    }

    private static void CheckOptions(GroupOptions options)
    {
        if (!(options.Dt > 0) || double.IsInfinity(options.Dt))
            throw new ArgumentOutOfRangeException(nameof(options), options.Dt, "dt must be a positive number of seconds");
        if (options.Threads < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "threads must be >= 0");
        if (options.FirstNeuron < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.FirstNeuron, "the first neuron's global index must be >= 0");
    }

    public int N { get; }
    public GroupOptions Settings { get; }
    public int Threads { get; }
    public CompiledModel CompiledModel => _compiled;
    public StepProgram Program => _compiled.Program;
    public AnalyzedModel Model => Program.Model;
    public string BackendName => _compiled.BackendName;
    /// <summary>Why <see cref="BackendName"/> was chosen.</summary>
    public string BackendReason => _compiled.BackendReason;
    /// <summary>Why the backend that <see cref="Backend.Auto"/> preferred could not be used (e.g. the compiler's error), else null.</summary>
    public string? BackendWarning => _compiled.BackendWarning;
    /// <summary>Seconds spent compiling (or loading a cached) kernel; 0 for the interpreter.</summary>
    public double CompileSeconds => _compiled.CompileSeconds;
    public Precision Precision => _compiled.Options.Precision;
    public double Dt => Settings.Dt;
    /// <summary>N as the model sees it: the whole population this group is a slice of.</summary>
    public long TotalNeurons => Settings.TotalNeurons == 0 ? Settings.FirstNeuron + N : Settings.TotalNeurons;

    /// <summary>Current time in seconds (step · dt, as Brian computes it).</summary>
    public double Time => Native.GetTime(_sim).Time;
    public long Step => Native.GetTime(_sim).Step;

    internal SimulationHandle Handle => _sim;

    /// <summary>Resolves a name to its native array: a state variable, a parameter or lastspike; for
    /// <paramref name="reading"/> also a subexpression or not_refractory (computed, read only).</summary>
    internal (nn_array_kind Kind, int Index) Variable(string name, bool reading = false)
    {
        int s = Model.StateIndex(name);
        if (s >= 0) return (nn_array_kind.NN_ARRAY_STATE, s);
        int p = Model.ParameterIndex(name);
        if (p >= 0) return (nn_array_kind.NN_ARRAY_PARAM, p);
        bool refractory = Model.RefractoryKind != RefractoryKind.None;
        if (name == "lastspike" && refractory) return (nn_array_kind.NN_ARRAY_LASTSPIKE, 0);
        var names = Model.States.Select(x => x.Name).Concat(Model.Parameters.Select(x => x.Name));
        if (reading)
        {
            if (name == "not_refractory" && refractory) return (nn_array_kind.NN_ARRAY_NOT_REFRACTORY, 0);
            for (int j = 0; j < Model.Subexpressions.Count; j++)
                if (Model.Subexpressions[j].Name == name) return (nn_array_kind.NN_ARRAY_OBSERVABLE, j);
            names = names.Concat(Model.Subexpressions.Select(x => x.Name));
        }
        else if (Model.Subexpressions.Any(x => x.Name == name))
        {
            throw new ArgumentException($"'{name}' is a subexpression, computed from the state; it cannot be set", nameof(name));
        }
        string? suggestion = ExpressionCompiler.Suggest(name, names);
        throw new ArgumentException($"the model has no variable '{name}'" + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"),
            nameof(name));
    }

    /// <summary>Sets a variable for every neuron: <paramref name="values"/> has N entries, or 1 for all.</summary>
    public void Set(string variable, ReadOnlySpan<double> values)
    {
        var (kind, index) = Variable(variable);
        if (values.Length != N && values.Length != 1)
            throw new ArgumentException($"'{variable}' needs {N} values (one per neuron) or 1, not {values.Length}", nameof(values));
        foreach (var v in values)
            if (double.IsNaN(v))
                throw new ArgumentException($"'{variable}' cannot be set to NaN", nameof(values));
        Native.SetArray(_sim, kind, index, values);
    }

    public void Set(string variable, double value) => Set(variable, [value]);

    /// <summary>Brian's <c>G.v = 'El'</c>: an expression (with units, other variables, subexpressions,
    /// i, N, rand()) evaluated once per neuron on the current values, checked against the variable's unit.
    /// As in Brian, an <c>(unless refractory)</c> variable changes only in neurons that are not refractory.</summary>
    public void Set(string variable, string expression)
    {
        var (kind, index) = Variable(variable);
        string context = $"initial value of '{variable}'";
        var (node, dimension, _) = Model.CompileExpression(expression, context);
        var expected = kind == nn_array_kind.NN_ARRAY_STATE ? Model.States[index].Dimension : Model.Parameters[index].Dimension;
        if (dimension != expected)
            throw new ModelException(context, $"'{expression.Trim()}' is {ExpressionCompiler.Describe(dimension)} but '{variable}' " +
                $"is {ExpressionCompiler.Describe(expected)}");
        var values = EvaluatePerNeuron(node);
        // Brian's conditional write (docs/brian2-semantics.md §2): an (unless refractory) variable is written
        // only where not_refractory holds; a refractory neuron keeps its value.
        if (kind == nn_array_kind.NN_ARRAY_STATE && Model.States[index].UnlessRefractory && Model.RefractoryKind != RefractoryKind.None)
        {
            var current = Get(variable);
            var live = Get("not_refractory");
            for (int i = 0; i < N; i++)
                if (live[i] == 0) values[i] = current[i];
        }
        Native.SetArray(_sim, kind, index, values);
    }

    /// <summary>The current values of a state variable, parameter, subexpression, lastspike or
    /// not_refractory (Brian's <c>G.v</c> after <c>run()</c>).</summary>
    public double[] Get(string variable)
    {
        var (kind, index) = Variable(variable, reading: true);
        var values = new double[N];
        Native.GetArray(_sim, kind, index, values);
        return values;
    }

    /// <summary>Evaluates IR on every neuron's current values, in the managed reference evaluator.</summary>
    internal double[] EvaluatePerNeuron(IrNode node)
    {
        var states = Model.States.Select(s => Get(s.Name)).ToArray();
        var parameters = Model.Parameters.Select(p => Get(p.Name)).ToArray();
        var program = new IrProgram([node]);
        var values = new double[N];
        var (step, time) = Native.GetTime(_sim);
        int streams = InitialValueStreams + (_evaluations++ << 10);
        for (int i = 0; i < N; i++)
            values[i] = program.Evaluate(new ArrayLeaves(this, states, parameters, i, Settings.FirstNeuron + i, time, step, streams));
        return values;
    }

    /// <summary>Records every spike (Brian's SpikeMonitor); one per group.</summary>
    public SpikeMonitor RecordSpikes()
    {
        if (_spikeMonitor is null)
        {
            Native.RecordSpikes(_sim, true);
            _spikeMonitor = new SpikeMonitor(this);
        }
        return _spikeMonitor;
    }

    /// <summary>A new monitor of the spikes from the next step on, with the values of <paramref name="variables"/> (state
    /// variables, parameters, subexpressions, lastspike, not_refractory) at each spike (Brian's
    /// <c>SpikeMonitor(G, variables=...)</c>): by default just after the threshold, before the reset; at Brian's
    /// <paramref name="when"/> and <paramref name="order"/> otherwise (e.g. 'after_resets' for the values after it).</summary>
    public SpikeMonitor RecordSpikes(IReadOnlyList<string> variables, string? when = null, int? order = null)
    {
        if (Model.Threshold is null) throw new InvalidOperationException("the model has no threshold, so it never spikes");
        return new SpikeMonitor(this, variables, when, order);
    }

    /// <summary>Records the population rate of neurons [<paramref name="start"/>, <paramref name="stop"/>) (default all;
    /// Brian's PopulationRateMonitor of G or of the subgroup G[start:stop]) from the next step on.</summary>
    public PopulationRateMonitor RecordPopulationRate(int start = 0, int? stop = null)
    {
        if (start != 0 || (stop ?? N) != N) RecordSpikes(); // a subgroup's rate is binned from the stored spikes
        return new PopulationRateMonitor(this, start, stop ?? N);
    }
    /// <summary>Records the neurons and times of a custom event, or of 'spike' (the threshold's), from the next step on
    /// (Brian's <c>EventMonitor(G, name)</c>), by default just after its condition is checked (Brian's when of the
    /// condition, order + 1), with the values of <paramref name="variables"/> at each event (Brian's <c>variables=</c>).</summary>
    public EventMonitor RecordEvents(string eventName, string? when = null, int? order = null, IReadOnlyList<string>? variables = null) =>
        new(this, eventName, when, order, variables ?? []);

    /// <summary>Records variables or subexpressions of some neurons (all when null) every
    /// <paramref name="every"/> steps (Brian's StateMonitor with dt = every·dt), at Brian's <paramref name="when"/>
    /// slot and <paramref name="order"/> (default: at the start of the step, after the model's operations there
    /// with order 0, as Brian's 'statemonitor' sorts after the group's objects).</summary>
    public StateMonitor Record(IReadOnlyList<string> variables, IReadOnlyList<long>? neurons = null, long every = 1,
        string when = "start", int order = 0) =>
        new(this, variables, neurons ?? Enumerable.Range(0, N).Select(i => (long)i).ToList(), every, when, order);

    /// <summary>A spike reduction (count, rate, first spike, or the first <paramref name="capacity"/> spike
    /// times) over <paramref name="window"/> (default: the whole run).</summary>
    public Reducer ReduceSpikes(Reduction kind, TimeWindow? window = null, int capacity = 0)
    {
        if (kind is not (Reduction.SpikeCount or Reduction.SpikeRate or Reduction.FirstSpike or Reduction.SpikeTimes))
            throw new ArgumentException($"{kind} reduces a variable; use Reduce(kind, variable, ...)", nameof(kind));
        if (Model.Threshold is null) throw new InvalidOperationException("the model has no threshold, so it never spikes");
        return AddReducer(kind, null, (nn_array_kind)0, 0, window, 1, capacity, [], 0);
    }

    /// <summary>A reduction of <paramref name="variable"/> (a state variable, parameter, subexpression,
    /// lastspike or not_refractory) sampled
    /// every <paramref name="every"/> steps of <paramref name="window"/>; <paramref name="capacity"/> is the
    /// number of samples kept by <see cref="Reduction.Samples"/>.</summary>
    public Reducer Reduce(Reduction kind, string variable, TimeWindow? window = null, long every = 1, int capacity = 0)
    {
        if (kind is not (Reduction.Min or Reduction.Max or Reduction.Mean or Reduction.Variance or Reduction.Samples))
            throw new ArgumentException(kind == Reduction.MeanSquaredError
                ? "the mean squared error needs target traces; use MeanSquaredError(variable, targets, ...)"
                : $"{kind} reduces spikes; use ReduceSpikes(kind, ...)", nameof(kind));
        var (k, index) = Variable(variable, reading: true);
        return AddReducer(kind, variable, k, index, window, every, capacity, [], 0);
    }

    /// <summary>The mean squared error of <paramref name="variable"/> against target traces sampled every
    /// <paramref name="every"/> steps from the window's start: neuron j compares with
    /// targets[(global index of j) % targets.Count] (one row per neuron, or rows shared as brian2modelfitting
    /// lays out samples × traces); the window ends with the traces. NaN targets are skipped.</summary>
    public Reducer MeanSquaredError(string variable, IReadOnlyList<double[]> targets, TimeWindow? window = null, long every = 1)
    {
        if (targets.Count == 0) throw new ArgumentException("give at least one target trace", nameof(targets));
        int samples = targets[0].Length;
        if (samples == 0 || targets.Any(t => t.Length != samples))
            throw new ArgumentException($"every target trace needs the same number of samples (the first has {samples}, all need > 0)",
                nameof(targets));
        var flat = new double[checked(targets.Count * samples)];
        for (int r = 0; r < targets.Count; r++) targets[r].CopyTo(flat, r * samples);
        var (k, index) = Variable(variable, reading: true);
        return AddReducer(Reduction.MeanSquaredError, variable, k, index, window, every, 0, flat, targets.Count);
    }

    private Reducer AddReducer(Reduction kind, string? variable, nn_array_kind k, int index, TimeWindow? window, long every,
        int capacity, double[] target, long targetRows)
    {
        var w = window ?? TimeWindow.Always;
        long start = StepsFor(w.Start), end = w.End is { } e ? StepsFor(e) : -1;
        int id = Native.AddReducer(_sim, (nn_reducer_kind)(int)kind, k, index, start, end, every, capacity, target, targetRows);
        return new Reducer(this, id, kind, variable, every);
    }

    /// <summary>Schedules input events: event <paramref name="eventIndex"/> of the model runs on
    /// neurons[j] at times[j] (seconds) with its value (e.g. the synaptic weight) values[j].</summary>
    public void AddEvents(int eventIndex, ReadOnlySpan<long> neurons, ReadOnlySpan<double> times, ReadOnlySpan<double> values)
    {
        if (eventIndex < 0 || eventIndex >= Model.Events.Count)
            throw new ArgumentOutOfRangeException(nameof(eventIndex), eventIndex, $"the model defines {Model.Events.Count} events");
        Native.AddEvents(_sim, eventIndex, neurons, times, values);
    }

    /// <summary>The number of steps Brian takes for a duration: round(T/dt) when within 1e-4 dt, else ceil.</summary>
    public long StepsFor(double duration) => StepsFor(duration, Dt);

    internal static long StepsFor(double duration, double dt)
    {
        if (!(duration >= 0) || double.IsInfinity(duration))
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "the duration must be a non-negative number of seconds");
        double exact = duration / dt;
        double rounded = Math.Round(exact);
        return (long)(Math.Abs(rounded * dt - duration) <= 1e-4 * dt ? rounded : Math.Ceiling(exact));
    }

    /// <summary>Advances the group by <paramref name="duration"/> seconds; a second call continues as
    /// Brian's consecutive runs do: it ends at the steps for the sum of the durations, so
    /// <c>Run(0.5*dt); Run(1.5*dt)</c> takes two steps, like <c>Run(2*dt)</c>.
    /// Cancellation stops at a step boundary, keeping what was computed.</summary>
    public RunStatistics Run(double duration, IProgress<(long Done, long Total)>? progress = null,
        CancellationToken cancellation = default)
    {
        StepsFor(duration); // checks the argument
        double end = (_runEnd ?? Step * Dt) + duration;
        long last = StepsFor(end);
        var statistics = RunSteps(Math.Max(0, last - Step), progress, cancellation);
        _runEnd = Step == last ? end : null; // a cancelled run continues from where it stopped
        return statistics;
    }

    /// <summary>Advances the group by a number of steps (see <see cref="Run"/>).</summary>
    public RunStatistics RunSteps(long steps, IProgress<(long Done, long Total)>? progress = null,
        CancellationToken cancellation = default)
    {
        var watch = Stopwatch.StartNew();
        _runEnd = null;
        Runs++;
        Native.Run(_sim, steps, progress, cancellation);
        return new RunStatistics(steps, watch.Elapsed.TotalSeconds, N);
    }

    /// <summary>Back to the initial state — state, parameters and scheduled events as they were when the
    /// first run since creation (or the last reset) began — at step 0, with every monitor and reducer
    /// emptied but kept. Then set new values and run again: the results are those of a new group set up
    /// the same way, bit for bit, without building anything again.</summary>
    public void Reset()
    {
        Native.Reset(_sim);
        _evaluations = 0;
        _runEnd = null;
    }

    private const uint SnapshotMagic = 0x31505247; // "GRP1": the managed header before the native blob

    /// <summary>The complete dynamic state (state, step, refractoriness, pending events, spikes, monitor
    /// samples, reducer accumulators) as a versioned binary blob; <see cref="Restore"/> continues from it,
    /// in this or another process, with results identical to an uninterrupted run.</summary>
    public byte[] Snapshot()
    {
        var native = Native.Snapshot(_sim);
        var blob = new byte[8 + native.Length];
        BitConverter.TryWriteBytes(blob.AsSpan(0, 4), SnapshotMagic);
        BitConverter.TryWriteBytes(blob.AsSpan(4, 4), _evaluations);
        native.CopyTo(blob, 8);
        return blob;
    }

    /// <summary>Continues from a <see cref="Snapshot"/>. The group must be of the same model, neurons, dt and
    /// seed, with the same monitors and reducers added in the same order (inputs are set as usual);
    /// otherwise an <see cref="ArgumentException"/> says what differs and the group is unchanged.</summary>
    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        if (snapshot.Length < 8 || BitConverter.ToUInt32(snapshot[..4]) != SnapshotMagic)
            throw new ArgumentException("not a NeuronGroup snapshot (it does not start with the GRP1 header)", nameof(snapshot));
        Native.Restore(_sim, snapshot[8..]);
        _evaluations = BitConverter.ToInt32(snapshot.Slice(4, 4));
        _runEnd = null;
        Runs++;
    }

    public void Dispose()
    {
        _sim.Dispose();
        if (_ownsModel) _compiled.Dispose();
    }

    /// <summary>Leaf values from arrays fetched from the native state (one neuron at a time).</summary>
    /// <summary>Streams far above any model's, so random initial values never repeat run-time draws.</summary>
    private const int InitialValueStreams = 1 << 30;

    private readonly struct ArrayLeaves(NeuronGroup group, double[][] states, double[][] parameters, int i, long global, double t,
        long step, int firstStream) : IIrLeaves
    {
        public double State(int index) => states[index][i];
        public double Parameter(int index) => parameters[index][i];
        public double Special(IrSpecial special) => special switch
        {
            IrSpecial.Time => t,
            IrSpecial.Dt => group.Dt,
            IrSpecial.NeuronIndex => global,
            IrSpecial.NeuronCount => group.TotalNeurons,
            IrSpecial.TimeStep => step,
            IrSpecial.NotRefractory => 1,
            IrSpecial.LastSpike => -1e4,
            _ => 0,
        };
        public double Input(int input, double time, double column) => group.Model.Inputs[input].Array.Sample(time, column, group.Dt);
        public double Rand(int stream) => Philox.Uniform(group.Settings.Seed, global, step, (uint)(firstStream + stream));
        public double Randn(int stream) => Philox.Normal(group.Settings.Seed, global, step, (uint)(firstStream + stream));
        public double Poisson(int stream, double lambda) =>
            Philox.Poisson(group.Settings.Seed, global, step, (uint)(firstStream + stream), lambda);
        public double Binomial(int stream, double n, double p) =>
            Philox.Binomial(group.Settings.Seed, global, step, (uint)(firstStream + stream), n, p);
    }
}
