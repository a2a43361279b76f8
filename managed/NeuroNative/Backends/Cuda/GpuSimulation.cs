using System.Diagnostics;
using NeuroNative.Backends.Cpp;

namespace NeuroNative.Backends.Cuda;

/// <summary>How a <see cref="GpuSimulation"/> runs.</summary>
public sealed record GpuOptions
{
    /// <summary>Arithmetic of the integration step (float64 as Brian 2; float32 faster, less accurate).</summary>
    public Precision Precision { get; init; } = Precision.Float64;
    /// <summary>Steps per kernel launch: spikes are drained from the device between launches.</summary>
    public int StepsPerLaunch { get; init; } = 1000;
    /// <summary>Spikes the device event buffer holds per launch before it grows (an overflowing launch is run
    /// again from its start with a buffer that fits, so nothing is lost).</summary>
    public long EventCapacity { get; init; } = 1 << 20;
    /// <summary>Where compiled kernels are cached (gpu/ below it); null: as the compiled backend's cache.</summary>
    public string? KernelCacheDirectory { get; init; }
    /// <summary>Run the kernel compiled for the host instead of on a GPU (tests on machines without one).</summary>
    public bool Emulate { get; init; }
    /// <summary>The host compiler of the emulation (null: as the compiled backend chooses).</summary>
    public string? Compiler { get; init; }
}

/// <summary>A spike: global neuron index and step (time = step × dt).</summary>
public readonly record struct GpuSpike(long Neuron, long Step);

/// <summary>
/// A group's neurons run on the GPU by the model's fused kernel (docs/gpu.md): the state, parameters and initial
/// values are taken from a <see cref="NeuronGroup"/> (which has set them as on the CPU), then every launch runs
/// <see cref="GpuOptions.StepsPerLaunch"/> steps of all neurons on the device. Spikes are counted per neuron and
/// collected in time order (by step, then neuron); traces of chosen neurons record the state at the start of
/// every <c>every</c>-th step (Brian's StateMonitor, when='start').
/// </summary>
public sealed class GpuSimulation : IDisposable
{
    private readonly IGpuDevice _device;
    private readonly NeuronGroup _group;
    private readonly int _n, _nState;
    private readonly ulong _state, _params, _lastspike, _nr, _counts, _count, _failure, _inputs, _operations, _traceColumn;
    private readonly ulong[] _inputValues;
    private readonly ulong[] _backup = new ulong[4];
    private readonly int _nOperations;
    private ulong _eventNeuron, _eventStep, _trace;
    private long _capacity, _traceEvery, _traceSamplesPerLaunch;
    private long[] _traced = [];
    private readonly List<GpuSpike> _spikes = [];
    private readonly List<GpuReducer> _reducers = [];
    private ulong _reducerTable;
    private int _initialisedReducers;
    private readonly List<double[]> _traceRows = [];

    private GpuSimulation(NeuronGroup group, IGpuDevice device, GpuOptions options, double compileSeconds, bool cached)
    {
        _group = group;
        _device = device;
        Options = options;
        CompileSeconds = compileSeconds;
        LoadedFromCache = cached;
        var model = group.Model;
        _n = group.N;
        _nState = model.States.Count;
        Step = group.Step;
        long n = _n;
        _state = Upload(model.States.SelectMany(s => group.Get(s.Name)).ToArray(), _nState * n);
        _params = Upload(model.Parameters.SelectMany(p => group.Get(p.Name)).ToArray(), model.Parameters.Count * n);
        // Without refractoriness nothing reads lastspike and not_refractory; the native core's initial values then.
        bool refractory = model.RefractoryKind != Models.Analysis.RefractoryKind.None;
        _lastspike = Upload(refractory ? group.Get("lastspike") : Enumerable.Repeat(-1e4, _n).ToArray(), n);
        _nr = Upload(refractory ? group.Get("not_refractory") : Enumerable.Repeat(1.0, _n).ToArray(), n);
        _counts = _device.Allocate(n * sizeof(long));
        _count = _device.Allocate(sizeof(ulong));
        _failure = _device.Allocate(3 * n * sizeof(double));
        _traceColumn = _device.Allocate(n * sizeof(long));
        for (int k = 0; k < 4; k++) _backup[k] = _device.Allocate((k == 0 ? _nState : 1) * n * sizeof(double));

        _inputValues = new ulong[model.Inputs.Count];
        var inputs = new GpuInput[model.Inputs.Count];
        for (int k = 0; k < inputs.Length; k++)
        {
            var array = model.Inputs[k].Array;
            _inputValues[k] = Upload(array.Values, array.Values.Length);
            // Brian's _find_K, computed as the native core does (simulation.cpp, set_input).
            double K = Math.Max(Math.Pow(2, Math.Ceiling(Math.Log2(8.0 / group.Dt * array.Dt))), 1.0);
            inputs[k] = new GpuInput { Values = _inputValues[k], Times = array.Times, Columns = array.Columns, Epsilon = array.Dt / K, K = K };
        }
        _inputs = _device.Allocate(Math.Max(inputs.Length, 1) * System.Runtime.InteropServices.Marshal.SizeOf<GpuInput>());
        _device.Upload<GpuInput>(_inputs, inputs);
        var operations = model.Operations.Select(o => new GpuOperation
        {
            Slot = o.Slot,
            Every = o.Dt is null or 0 ? 1 : (long)Math.Round(o.Dt.Value / group.Dt),
        }).ToArray();
        _nOperations = operations.Length;
        _operations = _device.Allocate(Math.Max(operations.Length, 1) * System.Runtime.InteropServices.Marshal.SizeOf<GpuOperation>());
        _device.Upload<GpuOperation>(_operations, operations);
        SetCapacity(Math.Max(1, options.EventCapacity));
    }

    /// <summary>Compiles the group's model for the GPU (NVRTC, cached) and copies the group's neurons to the device.
    /// Throws <see cref="GpuUnavailableException"/> where there is no CUDA driver, NVRTC or GPU.</summary>
    public static GpuSimulation FromGroup(NeuronGroup group, GpuOptions? options = null)
    {
        options ??= new GpuOptions();
        if (options.StepsPerLaunch < 1) throw new ArgumentOutOfRangeException(nameof(options), options.StepsPerLaunch, "StepsPerLaunch must be at least 1");
        var source = CudaCodeGenerator.Generate(group.Program, options.Precision);
        var watch = Stopwatch.StartNew();
        if (options.Emulate)
        {
            var emulated = new EmulatedDevice(source.Code, options.KernelCacheDirectory, options.Compiler);
            return new GpuSimulation(group, emulated, options, watch.Elapsed.TotalSeconds, cached: false);
        }
        var (device, major, minor, description) = CudaDevice.Probe();
        int arch = major * 10 + minor;
        string version = Nvrtc.Version();
        var headers = Nvrtc.Headers(HostCompiler.IncludeDirectory());
        var compileOptions = Nvrtc.Options(arch);
        var cache = new GpuKernelCache(options.KernelCacheDirectory ?? KernelCache.DefaultDirectory());
        string key = GpuKernelCache.Key(source.Code, headers, arch, version, compileOptions);
        var (image, cached) = cache.GetOrCompile(key, () => Nvrtc.Compile(source.Code, $"{source.ModelHash[..12]}.cu", headers, compileOptions));
        var cuda = CudaDevice.Open(device, image, $"{description}, NVRTC {version} ({CudaLibraries.NvrtcFile})");
        try
        {
            return new GpuSimulation(group, cuda, options, watch.Elapsed.TotalSeconds, cached);
        }
        catch
        {
            cuda.Dispose();
            throw;
        }
    }

    public GpuOptions Options { get; }
    /// <summary>The device the kernel runs on.</summary>
    public string Device => _device.Description;
    /// <summary>Seconds from the source to a loaded kernel (NVRTC compile, or the cache).</summary>
    public double CompileSeconds { get; }
    public bool LoadedFromCache { get; }
    /// <summary>The next step to run.</summary>
    public long Step { get; private set; }
    /// <summary>Launches run again because the event buffer overflowed (it then grew).</summary>
    public int Relaunches { get; private set; }
    /// <summary>The event buffer's capacity now (spikes per launch).</summary>
    public long EventCapacity => _capacity;
    /// <summary>Seconds spent in kernel launches (with their synchronisation).</summary>
    public double KernelSeconds { get; private set; }

    /// <summary>Every spike so far, by step then neuron (Brian's SpikeMonitor order).</summary>
    public IReadOnlyList<GpuSpike> Spikes => _spikes;

    /// <summary>Records all state variables of <paramref name="neurons"/> (group-local indices) at the start of
    /// every <paramref name="every"/>-th step of the runs that follow.</summary>
    public void RecordState(IReadOnlyList<long> neurons, long every = 1)
    {
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "every must be at least 1 step");
        var columns = Enumerable.Repeat(-1L, _n).ToArray();
        for (int c = 0; c < neurons.Count; c++)
        {
            if (neurons[c] < 0 || neurons[c] >= _n)
                throw new ArgumentOutOfRangeException(nameof(neurons), neurons[c], $"neuron index must be in [0, {_n})");
            columns[neurons[c]] = c;
        }
        _device.Upload<long>(_traceColumn, columns);
        _traced = [.. neurons];
        _traceEvery = every;
        _traceSamplesPerLaunch = Options.StepsPerLaunch / every + 1;
        if (_trace != 0) _device.Free(_trace);
        _trace = _device.Allocate(_traceSamplesPerLaunch * _nState * neurons.Count * sizeof(double));
    }

    /// <summary>Recorded values of a state variable of the k-th recorded neuron, one per sample.</summary>
    public double[] Trace(string variable, int recorded)
    {
        int v = StateIndex(variable);
        if (recorded < 0 || recorded >= _traced.Length)
            throw new ArgumentOutOfRangeException(nameof(recorded), recorded, $"{_traced.Length} neurons are recorded");
        return [.. _traceRows.Select(row => row[v * _traced.Length + recorded])];
    }

    /// <summary>Spike counts per neuron since the start.</summary>
    public long[] SpikeCounts()
    {
        var counts = new long[_n];
        _device.Download<long>(_counts, counts);
        return counts;
    }

    /// <summary>The current values of a state variable.</summary>
    public double[] Get(string variable)
    {
        var values = new double[_n];
        _device.Download<double>(_state + (ulong)(StateIndex(variable) * (long)_n * sizeof(double)), values);
        return values;
    }

    /// <summary>Runs <paramref name="steps"/> steps in launches of <see cref="GpuOptions.StepsPerLaunch"/>.</summary>
    public void RunSteps(long steps, IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        long end = Step + steps;
        while (Step < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long k1 = Math.Min(end, Step + Options.StepsPerLaunch);
            Launch(Step, k1);
            Step = k1;
            progress?.Report((steps - (end - Step), steps));
        }
    }

    /// <summary>One launch over [k0, k1): run, read the event count; an overflow restores the state saved before the
    /// launch, grows the buffer to the count and runs it again (the kernel is deterministic); then drains.</summary>
    private void Launch(long k0, long k1)
    {
        long n = _n;
        long[] bytes = [_nState * n * sizeof(double), n * sizeof(double), n * sizeof(double), n * sizeof(long)];
        ulong[] live = [_state, _lastspike, _nr, _counts];
        for (int k = 0; k < 4; k++) _device.Copy(_backup[k], live[k], bytes[k]);
        foreach (var r in _reducers) _device.Copy(r.Backup, r.Desc.Acc, r.AccBytes);
        var nan = new double[3 * n];
        Array.Fill(nan, double.NaN);
        _device.Upload<double>(_failure, nan);
        while (true)
        {
            _device.Upload<ulong>(_count, [0UL]);
            var args = Args(k0, k1);
            var watch = Stopwatch.StartNew();
            _device.Launch(args);
            KernelSeconds += watch.Elapsed.TotalSeconds;
            var count = new ulong[1];
            _device.Download<ulong>(_count, count);
            var plan = EventBufferPlan.After((long)count[0], _capacity);
            if (plan.Drain)
            {
                Drain((int)count[0]);
                break;
            }
            for (int k = 0; k < 4; k++) _device.Copy(live[k], _backup[k], bytes[k]);
            foreach (var r in _reducers) _device.Copy(r.Desc.Acc, r.Backup, r.AccBytes);
            SetCapacity(plan.NewCapacity);
            Relaunches++;
        }
        _initialisedReducers = _reducers.Count;
        CheckFailure();
        if (_traceEvery > 0) DrainTraces(k0, k1);
    }

    private GpuArgs Args(long k0, long k1) => new()
    {
        State = _state, Params = _params, LastSpike = _lastspike, NotRefractory = _nr, Inputs = _inputs, Operations = _operations,
        SpikeCount = _counts, EventNeuron = _eventNeuron, EventStep = _eventStep, EventCount = _count, Trace = _trace,
        TraceColumn = _traceColumn, Failure = _failure, N = _n, FirstNeuron = _group.Settings.FirstNeuron, EventCapacity = _capacity,
        TraceEvery = _traceEvery, NTraced = _traced.Length, K0 = k0, K1 = k1, Seed = _group.Settings.Seed, Dt = _group.Dt,
        NNeurons = _group.TotalNeurons, NOperations = _nOperations, Reducers = _reducerTable, NReducers = _reducers.Count,
        SampleAfter = _group.Model.SampleAfter, InitReducersFrom = _initialisedReducers,
    };

    /// <summary>A spike reduction (count, rate, first spike, or the first <paramref name="capacity"/> spike times) over
    /// <paramref name="window"/> (default: the whole run), on the device; as <see cref="NeuronGroup.ReduceSpikes"/>.</summary>
    public GpuReducer ReduceSpikes(Reduction kind, TimeWindow? window = null, int capacity = 0)
    {
        if (kind is not (Reduction.SpikeCount or Reduction.SpikeRate or Reduction.FirstSpike or Reduction.SpikeTimes))
            throw new ArgumentException($"{kind} reduces a variable; use Reduce(kind, variable, ...)", nameof(kind));
        if (_group.Model.Threshold is null) throw new InvalidOperationException("the model has no threshold, so it never spikes");
        return AddReducer(kind, -1, window, 1, capacity, null);
    }

    /// <summary>A reduction of the state variable <paramref name="variable"/> sampled every <paramref name="every"/> steps of
    /// <paramref name="window"/> where monitors sample, on the device; as <see cref="NeuronGroup.Reduce"/> (state variables only).</summary>
    public GpuReducer Reduce(Reduction kind, string variable, TimeWindow? window = null, long every = 1, int capacity = 0)
    {
        if (kind is not (Reduction.Min or Reduction.Max or Reduction.Mean or Reduction.Variance or Reduction.Samples))
            throw new ArgumentException(kind == Reduction.MeanSquaredError
                ? "the mean squared error needs target traces; use MeanSquaredError(variable, targets, ...)"
                : $"{kind} reduces spikes; use ReduceSpikes(kind, ...)", nameof(kind));
        return AddReducer(kind, StateIndex(variable), window, every, capacity, null);
    }

    /// <summary>The mean squared error of a state variable against target traces (neuron j uses
    /// targets[(global index of j) % targets.Count]), as <see cref="NeuronGroup.MeanSquaredError"/>.</summary>
    public GpuReducer MeanSquaredError(string variable, IReadOnlyList<double[]> targets, TimeWindow? window = null, long every = 1)
    {
        if (targets.Count == 0 || targets[0].Length == 0 || targets.Any(t => t.Length != targets[0].Length))
            throw new ArgumentException("give at least one target trace, all with the same number (> 0) of samples", nameof(targets));
        return AddReducer(Reduction.MeanSquaredError, StateIndex(variable), window, every, 0, targets);
    }

    private GpuReducer AddReducer(Reduction kind, int var, TimeWindow? window, long every, int capacity, IReadOnlyList<double[]>? targets)
    {
        bool hasCapacity = kind is Reduction.SpikeTimes or Reduction.Samples;
        if (hasCapacity ? capacity < 1 : capacity != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, hasCapacity ? "must be at least 1" : $"must be 0 for {kind}");
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "must be at least 1 step");
        var w = window ?? TimeWindow.Always;
        long start = _group.StepsFor(w.Start), end = w.End is { } e ? _group.StepsFor(e) : long.MaxValue;
        if (end <= start) throw new ArgumentException($"the window ends (step {end}) before it starts (step {start})", nameof(window));
        if (start < Step) throw new ArgumentException($"the window starts at step {start} but the simulation is already at step {Step}", nameof(window));
        // reducers.hpp's reducer_slots and reducer_width: the device memory each neuron needs.
        long slots = kind switch
        {
            Reduction.SpikeTimes => 1 + capacity,
            Reduction.Mean or Reduction.Variance => 3,
            Reduction.MeanSquaredError => 2,
            Reduction.Samples => capacity,
            _ => 1,
        };
        long width = hasCapacity ? capacity : 1;
        var desc = new GpuReducerDesc
        {
            Kind = (int)kind, Var = var, Capacity = capacity, Slots = slots, Width = width, Start = start, End = end, Every = every,
            Acc = _device.Allocate(slots * _n * sizeof(double)), Value = _device.Allocate(width * _n * sizeof(double)),
        };
        if (targets is not null)
        {
            desc.TargetRows = targets.Count;
            desc.TargetSamples = targets[0].Length;
            desc.Target = Upload([.. targets.SelectMany(t => t)], targets.Count * (long)targets[0].Length);
            if (desc.TargetSamples <= (end - start - 1) / every) desc.End = start + desc.TargetSamples * every; // the window ends with the traces
        }
        var reducer = new GpuReducer(this, kind, desc, _device.Allocate(slots * _n * sizeof(double)));
        _reducers.Add(reducer);
        if (_reducerTable != 0) _device.Free(_reducerTable);
        _reducerTable = _device.Allocate(_reducers.Count * GpuReducerDesc.Size);
        _device.Upload<GpuReducerDesc>(_reducerTable, [.. _reducers.Select(r => r.Desc)]);
        return reducer;
    }

    /// <summary>The reducer's values as the last launch left them ([neuron][width]).</summary>
    internal double[] ReducerValues(GpuReducer reducer)
    {
        var values = new double[reducer.Width * _n];
        if (_reducers.IndexOf(reducer) < _initialisedReducers) _device.Download<double>(reducer.Desc.Value, values);
        else Array.Fill(values, double.NaN); // added after the last launch: nothing reduced yet
        return values;
    }

    internal int N => _n;

    /// <summary>The launch's spikes into the list, in Brian's order (step, then neuron): the device appends them in
    /// whatever order its threads ran.</summary>
    private void Drain(int count)
    {
        if (count == 0) return;
        var neurons = new long[count];
        var steps = new long[count];
        _device.Download<long>(_eventNeuron, neurons);
        _device.Download<long>(_eventStep, steps);
        var spikes = new GpuSpike[count];
        for (int j = 0; j < count; j++) spikes[j] = new GpuSpike(neurons[j], steps[j]);
        Array.Sort(spikes, (a, b) => a.Step != b.Step ? a.Step.CompareTo(b.Step) : a.Neuron.CompareTo(b.Neuron));
        _spikes.AddRange(spikes);
    }

    private void DrainTraces(long k0, long k1)
    {
        long first = (k0 + _traceEvery - 1) / _traceEvery, last = (k1 - 1) / _traceEvery;
        long samples = Math.Max(0, last - first + 1);
        int width = _nState * _traced.Length;
        var all = new double[samples * width];
        _device.Download<double>(_trace, all);
        for (long s = 0; s < samples; s++) _traceRows.Add(all[(int)(s * width)..(int)((s + 1) * width)]);
    }

    /// <summary>The first non-finite update (lowest step, then neuron) as the CPU backends report it.</summary>
    private void CheckFailure()
    {
        var failure = new double[3 * _n];
        _device.Download<double>(_failure, failure);
        int worst = -1;
        for (int i = 0; i < _n; i++)
            if (!double.IsNaN(failure[3 * i]) && (worst < 0 || failure[3 * i] < failure[3 * worst])) worst = i;
        if (worst < 0) return;
        string variable = _group.Model.States[(int)failure[3 * worst + 1]].Name;
        double step = failure[3 * worst];
        throw new SimulationDivergedException($"{variable} became {failure[3 * worst + 2]} in neuron {_group.Settings.FirstNeuron + worst} " +
            $"at t = {step * _group.Dt} s (step {step}) on the GPU");
    }

    private void SetCapacity(long capacity)
    {
        if (_eventNeuron != 0)
        {
            _device.Free(_eventNeuron);
            _device.Free(_eventStep);
        }
        _capacity = capacity;
        _eventNeuron = _device.Allocate(capacity * sizeof(long));
        _eventStep = _device.Allocate(capacity * sizeof(long));
    }

    private int StateIndex(string variable)
    {
        for (int v = 0; v < _nState; v++)
            if (_group.Model.States[v].Name == variable) return v;
        throw new ArgumentException($"'{variable}' is not a state variable of the model (state variables: " +
            $"{string.Join(", ", _group.Model.States.Select(s => s.Name))})", nameof(variable));
    }

    private ulong Upload(double[] values, long count)
    {
        ulong p = _device.Allocate(count * sizeof(double));
        _device.Upload<double>(p, values);
        return p;
    }

    public void Dispose() => _device.Dispose();
}

/// <summary>A reducer computed on the device by <see cref="GpuSimulation"/>: values as <see cref="Reducer"/>'s.</summary>
public sealed class GpuReducer
{
    private readonly GpuSimulation _simulation;

    internal GpuReducer(GpuSimulation simulation, Reduction kind, GpuReducerDesc desc, ulong backup)
    {
        _simulation = simulation;
        Kind = kind;
        Desc = desc;
        Backup = backup;
    }

    public Reduction Kind { get; }
    /// <summary>Values per neuron: 1, or the capacity of <see cref="Reduction.SpikeTimes"/> and <see cref="Reduction.Samples"/>.</summary>
    public long Width => Desc.Width;
    internal GpuReducerDesc Desc { get; }
    /// <summary>Device copy of the accumulators before a launch (restored when the launch runs again).</summary>
    internal ulong Backup { get; }
    internal long AccBytes => Desc.Slots * _simulation.N * sizeof(double);

    /// <summary>One value per neuron (the first, for reductions of several values per neuron).</summary>
    public double[] Values
    {
        get
        {
            var all = _simulation.ReducerValues(this);
            return Width == 1 ? all : [.. Enumerable.Range(0, _simulation.N).Select(i => all[i * Width])];
        }
    }

    /// <summary>Every value, per neuron.</summary>
    public double[][] Rows
    {
        get
        {
            var all = _simulation.ReducerValues(this);
            return [.. Enumerable.Range(0, _simulation.N).Select(i => all.AsSpan((int)(i * Width), (int)Width).ToArray())];
        }
    }
}

/// <summary>What the host does after a launch, from the device's event count: drain the buffer, or (overflow: the
/// count exceeds the capacity, the spikes past it were not stored) run the launch again with a buffer of
/// <see cref="NewCapacity"/>, the count rounded up to a power of two.</summary>
internal readonly record struct EventBufferPlan(bool Drain, long NewCapacity)
{
    public static EventBufferPlan After(long count, long capacity)
    {
        if (count < 0) throw new InvalidOperationException($"the device reported {count} spikes");
        if (count <= capacity) return new(true, capacity);
        if (count > int.MaxValue) throw new InvalidOperationException($"{count} spikes in one launch: use fewer steps per launch (GpuOptions.StepsPerLaunch)");
        return new(false, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)count));
    }
}
