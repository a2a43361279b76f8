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
}

/// <summary>How a group is simulated. <see cref="Dt"/> in seconds (Brian's default 0.1 ms);
/// <see cref="Threads"/> 0 uses every hardware thread; a seed gives the same numbers on every
/// backend and thread count.</summary>
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
    private readonly ModelHandle _model;
    private readonly SimulationHandle _sim;
    private readonly List<StateMonitor> _stateMonitors = [];
    private SpikeMonitor? _spikeMonitor;
    private int _evaluations; // each per-neuron evaluation draws from fresh random streams

    public NeuronGroup(int n, ModelDefinition model, SimulationOptions? options = null)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "a group needs at least one neuron");
        Options = options ?? new SimulationOptions();
        if (!(Options.Dt > 0) || double.IsInfinity(Options.Dt))
            throw new ArgumentOutOfRangeException(nameof(options), Options.Dt, "dt must be a positive number of seconds");
        if (Options.Threads < 0) throw new ArgumentOutOfRangeException(nameof(options), Options.Threads, "threads must be >= 0");
        N = n;
        Program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(model));
        var choice = CompiledBackend.Create(Program, n, Options);
        _model = choice.Model;
        BackendName = choice.Name;
        BackendReason = choice.Reason;
        BackendWarning = choice.Warning;
        CompileSeconds = choice.CompileSeconds;
        try
        {
            _sim = Native.SimulationCreate(_model, n, Options.Dt, Options.Seed);
            Threads = Options.Threads == 0 ? Native.HardwareThreads() : Options.Threads;
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
            _model.Dispose();
            throw;
        }
    }

    public int N { get; }
    public SimulationOptions Options { get; }
    public int Threads { get; }
    public StepProgram Program { get; }
    public AnalyzedModel Model => Program.Model;
    public string BackendName { get; }
    /// <summary>Why <see cref="BackendName"/> was chosen.</summary>
    public string BackendReason { get; }
    /// <summary>Why the backend that <see cref="Backend.Auto"/> preferred could not be used (e.g. the compiler's error), else null.</summary>
    public string? BackendWarning { get; }
    /// <summary>Seconds spent compiling (or loading a cached) kernel; 0 for the interpreter.</summary>
    public double CompileSeconds { get; }
    public double Dt => Options.Dt;

    /// <summary>Current time in seconds (step · dt, as Brian computes it).</summary>
    public double Time => Native.GetTime(_sim).Time;
    public long Step => Native.GetTime(_sim).Step;

    internal SimulationHandle Handle => _sim;

    /// <summary>Resolves a state variable or parameter name to its native array.</summary>
    internal (nn_array_kind Kind, int Index) Variable(string name)
    {
        int s = Model.StateIndex(name);
        if (s >= 0) return (nn_array_kind.NN_ARRAY_STATE, s);
        int p = Model.ParameterIndex(name);
        if (p >= 0) return (nn_array_kind.NN_ARRAY_PARAM, p);
        if (name == "lastspike" && Model.RefractoryKind != RefractoryKind.None) return (nn_array_kind.NN_ARRAY_LASTSPIKE, 0);
        string? suggestion = ExpressionCompiler.Suggest(name, Model.States.Select(x => x.Name).Concat(Model.Parameters.Select(x => x.Name)));
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
    /// i, N, rand()) evaluated once per neuron on the current values, checked against the variable's unit.</summary>
    public void Set(string variable, string expression)
    {
        var (kind, index) = Variable(variable);
        string context = $"initial value of '{variable}'";
        var (node, dimension, _) = Model.CompileExpression(expression, context);
        var expected = kind == nn_array_kind.NN_ARRAY_STATE ? Model.States[index].Dimension : Model.Parameters[index].Dimension;
        if (dimension != expected)
            throw new ModelException(context, $"'{expression.Trim()}' is {ExpressionCompiler.Describe(dimension)} but '{variable}' " +
                $"is {ExpressionCompiler.Describe(expected)}");
        Native.SetArray(_sim, kind, index, EvaluatePerNeuron(node));
    }

    public double[] Get(string variable)
    {
        var (kind, index) = Variable(variable);
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
            values[i] = program.Evaluate(new ArrayLeaves(this, states, parameters, i, time, step, streams));
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

    /// <summary>Records variables or subexpressions of some neurons (all when null) every
    /// <paramref name="every"/> steps (Brian's StateMonitor with dt = every·dt).</summary>
    public StateMonitor Record(IReadOnlyList<string> variables, IReadOnlyList<long>? neurons = null, long every = 1)
    {
        var monitor = new StateMonitor(this, variables, neurons ?? Enumerable.Range(0, N).Select(i => (long)i).ToList(), every);
        _stateMonitors.Add(monitor);
        return monitor;
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
    public long StepsFor(double duration)
    {
        if (!(duration >= 0) || double.IsInfinity(duration))
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "the duration must be a non-negative number of seconds");
        double exact = duration / Dt;
        double rounded = Math.Round(exact);
        return (long)(Math.Abs(rounded * Dt - duration) <= 1e-4 * Dt ? rounded : Math.Ceiling(exact));
    }

    /// <summary>Advances the group by <paramref name="duration"/> seconds; a second call continues.
    /// Cancellation stops at a step boundary, keeping what was computed.</summary>
    public RunStatistics Run(double duration, IProgress<(long Done, long Total)>? progress = null,
        CancellationToken cancellation = default)
    {
        long steps = StepsFor(duration);
        var watch = Stopwatch.StartNew();
        Native.Run(_sim, steps, progress, cancellation);
        return new RunStatistics(steps, watch.Elapsed.TotalSeconds, N);
    }

    public void Dispose()
    {
        _sim.Dispose();
        _model.Dispose();
    }

    /// <summary>Leaf values from arrays fetched from the native state (one neuron at a time).</summary>
    /// <summary>Streams far above any model's, so random initial values never repeat run-time draws.</summary>
    private const int InitialValueStreams = 1 << 30;

    private readonly struct ArrayLeaves(NeuronGroup group, double[][] states, double[][] parameters, int i, double t, long step,
        int firstStream) : IIrLeaves
    {
        public double State(int index) => states[index][i];
        public double Parameter(int index) => parameters[index][i];
        public double Special(IrSpecial special) => special switch
        {
            IrSpecial.Time => t,
            IrSpecial.Dt => group.Dt,
            IrSpecial.NeuronIndex => i,
            IrSpecial.NeuronCount => group.N,
            IrSpecial.TimeStep => step,
            IrSpecial.NotRefractory => 1,
            IrSpecial.LastSpike => -1e4,
            _ => 0,
        };
        public double Input(int input, double time, double column) => group.Model.Inputs[input].Array.Sample(time, column, group.Dt);
        public double Rand(int stream) => Philox.Uniform(group.Options.Seed, i, step, (uint)(firstStream + stream));
        public double Randn(int stream) => Philox.Normal(group.Options.Seed, i, step, (uint)(firstStream + stream));
    }
}
