using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace NeuroNative.Interop;

/// <summary>
/// The one checking layer over <see cref="NativeMethods"/>: nothing else calls it. Every status is
/// checked, every span is length-checked against the count the C side trusts, handles are leased for
/// the length of each call, and strings are copied out at once.
/// </summary>
internal static unsafe class Native
{
    private const int InstructionSize = 5; // { opcode, dst, a, b, c }

    /// <summary>The largest coupled system NN_METHOD_LINEAR_SYSTEM integrates.</summary>
    public const int LinearSystemMaxStates = NativeMethods.NN_LINEAR_SYSTEM_MAX_STATES;

    private static volatile bool s_compatible;

    static Native() => NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, ResolveLibrary);

    #region library loading

    private static string LibraryFileName =>
        OperatingSystem.IsWindows() ? "neuronative.dll"
        : OperatingSystem.IsMacOS() ? "libneuronative.dylib"
        : "libneuronative.so";

    /// <summary>The runtime identifier of the runtimes/&lt;rid&gt;/native folder a NuGet package uses.</summary>
    internal static string PortableRid =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux")
        + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>Looks next to the assembly (where the build copies the library), in the runtimes/ folder
    /// a NuGet package leaves, then on the system search path; otherwise says how to build it.</summary>
    private static IntPtr ResolveLibrary(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.LibraryName)
            return Backends.Cuda.CudaLibraries.Resolve(name); // the GPU backend's run-time libraries
        string file = LibraryFileName;
        string[] dirs = new[] { Path.GetDirectoryName(assembly.Location), AppContext.BaseDirectory }
            .Where(d => !string.IsNullOrEmpty(d))
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d!))).Distinct().ToArray();
        foreach (string dir in dirs)
        {
            foreach (string candidate in new[] { Path.Combine(dir, file), Path.Combine(dir, "runtimes", PortableRid, "native", file) })
            {
                // Load, not TryLoad: a library that exists but cannot load should say why (missing symbol, wrong arch).
                if (File.Exists(candidate))
                    return NativeLibrary.Load(candidate);
            }
        }
        if (NativeLibrary.TryLoad(file, out IntPtr handle))
            return handle;
        throw new DllNotFoundException(
            $"NeuroNative's native library '{file}' was not found in {string.Join(" or ", dirs)} (nor in their " +
            $"runtimes/{PortableRid}/native folders or on the system library path). Build it with ./build.sh build " +
            "(dotnet build runs CMake on native/ and copies it next to the assembly).");
    }

    /// <summary>The managed bindings were generated from one version of neuronative.h; any other library
    /// could disagree on struct layouts, so it is refused before the first real call.</summary>
    private static void EnsureCompatible()
    {
        if (s_compatible)
            return;
        int version = NativeMethods.version_number();
        int abi = NativeMethods.abi_version();
        if (version != NativeMethods.NN_VERSION_NUMBER || abi != NativeMethods.NN_ABI_VERSION)
        {
            throw new NeuroNativeException(
                $"native library version {version} (ABI {abi}) does not match managed {NativeMethods.NN_VERSION_NUMBER} " +
                $"(ABI {NativeMethods.NN_ABI_VERSION}); rebuild with ./build.sh build");
        }
        s_compatible = true;
    }

    #endregion

    #region nn_ library

    public static int VersionNumber() => NativeMethods.version_number();

    public static int AbiVersion() => NativeMethods.abi_version();

    public static string VersionString()
    {
        EnsureCompatible();
        return Utf8(NativeMethods.version_string());
    }

    /// <summary>The calling thread's last error; empty when the last call succeeded.</summary>
    public static string LastErrorMessage() => Utf8(NativeMethods.last_error_message());

    public static string StatusString(int status)
    {
        EnsureCompatible();
        return Utf8(NativeMethods.status_string(status));
    }

    public static int HardwareThreads()
    {
        EnsureCompatible();
        return NativeMethods.hardware_threads();
    }

    /// <summary>The ISA level the native hot loops run at (<c>v2</c>, <c>v3</c>, <c>v4</c> for
    /// x86-64-v2..v4, <c>generic</c> elsewhere): the highest the CPU supports, or <c>NEURONATIVE_ISA</c>.
    /// Throws <see cref="InvalidOperationException"/> when <c>NEURONATIVE_ISA</c> names a level the CPU
    /// or the build lacks.</summary>
    public static string IsaLevel()
    {
        EnsureCompatible();
        byte* level = NativeMethods.isa_level();
        if (level == null)
            throw Status.ToException((int)nn_status_code.NN_ERR_INVALID_STATE, LastErrorMessage());
        return Utf8(level);
    }

    private static string Utf8(byte* text) => Marshal.PtrToStringUTF8((IntPtr)text) ?? "";

    #endregion

    #region nn_model_

    /// <summary>Marshals <paramref name="desc"/> into an <c>nn_model_desc</c> over pinned arrays; the native
    /// side copies it, so everything is unpinned when the call returns, failed or not.</summary>
    /// <remarks>With <paramref name="compiled"/>, the model runs the kernel of that library (built from
    /// the same description), which the native side loads only if it reports the expected model hash.</remarks>
    public static ModelHandle ModelCreate(NativeModelDescription desc, (string LibraryPath, string ModelHash)? compiled = null)
    {
        EnsureCompatible();
        int nState = desc.StateNames.Length;
        if (desc.StateFlags.Length != nState)
            throw new ArgumentException($"{desc.StateFlags.Length} state flags for {nState} state variables", nameof(desc));
        int stages = 1;
        if (desc.Method == nn_method.NN_METHOD_EXPLICIT_RK)
        {
            stages = desc.RkB.Length;
            if (stages < 1 || desc.RkA.Length != stages * stages || desc.RkC.Length != stages)
                throw new ArgumentException(
                    $"explicit RK tableau needs a {stages}x{stages} a, and b and c of {stages}; got a of {desc.RkA.Length}, c of {desc.RkC.Length}",
                    nameof(desc));
        }
        else if (desc.RkA.Length + desc.RkB.Length + desc.RkC.Length != 0)
        {
            throw new ArgumentException($"{desc.Method} takes no Butcher tableau", nameof(desc));
        }
        if (desc.ObservableNames.Length != desc.Observables.Outputs)
            throw new ArgumentException(
                $"{desc.ObservableNames.Length} observable names for an observables section of {desc.Observables.Outputs} outputs", nameof(desc));

        using var pins = new Pins();
        var events = new nn_section[desc.Events.Length];
        for (int e = 0; e < events.Length; e++)
            events[e] = Section(desc.Events[e], $"events[{e}]", pins);
        var operations = new nn_operation[desc.Operations.Length];
        for (int j = 0; j < operations.Length; j++)
            operations[j] = new nn_operation
            {
                code = Section(desc.Operations[j].Code, $"operations[{j}]", pins),
                slot = desc.Operations[j].Slot,
                dt = desc.Operations[j].Dt,
            };
        var d = new nn_model_desc
        {
            struct_size = sizeof(nn_model_desc),
            n_state = nState,
            n_param = desc.ParamNames.Length,
            n_noise = desc.NoiseCount,
            n_inputs = desc.InputCount,
            n_constants = desc.Constants.Length,
            state_names = pins.PinUtf8(desc.StateNames),
            param_names = pins.PinUtf8(desc.ParamNames),
            constants = pins.Pin(desc.Constants),
            method = (int)desc.Method,
            n_stages = stages,
            rk_a = pins.Pin(desc.RkA),
            rk_b = pins.Pin(desc.RkB),
            rk_c = pins.Pin(desc.RkC),
            state_flags = (int*)pins.Pin(desc.StateFlags),
            refractory = (int)desc.Refractory,
            has_threshold = desc.HasThreshold ? 1 : 0,
            derivatives = Section(desc.Derivatives, "derivatives", pins),
            noise = Section(desc.Noise, "noise", pins),
            linear = Section(desc.Linear, "linear", pins),
            threshold = Section(desc.Threshold, "threshold", pins),
            reset = Section(desc.Reset, "reset", pins),
            refractory_expr = Section(desc.RefractoryExpr, "refractory", pins),
            n_events = events.Length,
            events = pins.Pin(events),
            observables = Section(desc.Observables, "observables", pins),
            observable_names = pins.PinUtf8(desc.ObservableNames),
            model_hash = desc.ModelHash is null ? null : (byte*)pins.Pin(System.Text.Encoding.UTF8.GetBytes(desc.ModelHash + "\0")),
            n_operations = operations.Length,
            sample_after = desc.SampleAfter,
            operations = pins.Pin(operations),
        };
        nn_model* model;
        if (compiled is var (path, hash))
        {
            byte* pathUtf8 = (byte*)pins.Pin(System.Text.Encoding.UTF8.GetBytes(path + "\0"));
            byte* hashUtf8 = (byte*)pins.Pin(System.Text.Encoding.UTF8.GetBytes(hash + "\0"));
            Status.Check(NativeMethods.model_create_compiled(&d, pathUtf8, hashUtf8, &model));
        }
        else
        {
            Status.Check(NativeMethods.model_create(&d, &model));
        }
        return new ModelHandle((IntPtr)model, owned: true);
    }

    /// <summary>Only for <see cref="ModelHandle"/>; NULL-safe.</summary>
    public static void ModelDestroy(nn_model* model) => NativeMethods.model_destroy(model);

    private static nn_section Section(NativeSection section, string name, Pins pins)
    {
        if (section.Code.Length % InstructionSize != 0)
            throw new ArgumentException($"section {name}: {section.Code.Length} code words is not a whole number of {InstructionSize}-word instructions");
        return new nn_section
        {
            code = pins.Pin(section.Code),
            n_instructions = section.Code.Length / InstructionSize,
            n_temps = section.Temps,
            n_outputs = section.Outputs,
            flags = section.Defined ? (int)nn_section_flag.NN_SECTION_DEFINED : 0,
        };
    }

    /// <summary>Pins managed arrays for the length of one native call.</summary>
    private sealed class Pins : IDisposable
    {
        private readonly List<GCHandle> _handles = [];

        /// <summary>NULL for an empty array: the C side reads nothing then.</summary>
        public T* Pin<T>(T[] array) where T : unmanaged
        {
            if (array.Length == 0)
                return null;
            var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            _handles.Add(handle);
            return (T*)handle.AddrOfPinnedObject();
        }

        /// <summary>NUL-terminated UTF-8 copies of <paramref name="strings"/> in one pinned buffer, and the
        /// pinned table of pointers into it.</summary>
        public byte** PinUtf8(string[] strings)
        {
            var offsets = new int[strings.Length];
            int total = 0;
            for (int i = 0; i < strings.Length; i++)
            {
                offsets[i] = total;
                total += System.Text.Encoding.UTF8.GetByteCount(strings[i]) + 1;
            }
            var buffer = new byte[total];
            for (int i = 0; i < strings.Length; i++)
                System.Text.Encoding.UTF8.GetBytes(strings[i], buffer.AsSpan(offsets[i]));
            byte* start = Pin(buffer);
            var table = new nint[strings.Length];
            for (int i = 0; i < strings.Length; i++)
                table[i] = (nint)(start + offsets[i]);
            return (byte**)Pin(table);
        }

        public void Dispose()
        {
            foreach (var handle in _handles)
                handle.Free();
        }
    }

    #endregion

    #region nn_simulation_

    /// <summary>Neurons [firstNeuron, firstNeuron + neurons) of a population of <paramref name="totalNeurons"/>
    /// (0: firstNeuron + neurons).</summary>
    public static SimulationHandle SimulationCreate(ModelHandle model, long neurons, double dt, ulong seed, long firstNeuron = 0,
                                                    long totalNeurons = 0)
    {
        var config = new nn_simulation_config
        {
            struct_size = sizeof(nn_simulation_config),
            n_neurons = neurons,
            dt = dt,
            seed = seed,
            first_neuron = firstNeuron,
            total_neurons = totalNeurons,
        };
        using var lease = model.Lease();
        nn_simulation* sim;
        Status.Check(NativeMethods.simulation_create_v2(lease.Ptr, &config, &sim));
        return new SimulationHandle((IntPtr)sim, owned: true);
    }

    /// <summary>Only for <see cref="SimulationHandle"/>; NULL-safe.</summary>
    public static void SimulationDestroy(nn_simulation* sim) => NativeMethods.simulation_destroy(sim);

    public static void SetThreads(SimulationHandle sim, int threads)
    {
        using var lease = sim.Lease();
        Status.Check(NativeMethods.simulation_set_threads(lease.Ptr, threads));
    }

    /// <summary><paramref name="values"/> holds one value per neuron, or a single value for all.</summary>
    public static void SetArray(SimulationHandle sim, nn_array_kind kind, int index, ReadOnlySpan<double> values)
    {
        using var lease = sim.Lease();
        fixed (double* p = values)
            Status.Check(NativeMethods.simulation_set_array(lease.Ptr, (int)kind, index, p, values.Length));
    }

    /// <summary><paramref name="destination"/> must hold exactly one value per neuron.</summary>
    public static void GetArray(SimulationHandle sim, nn_array_kind kind, int index, Span<double> destination)
    {
        using var lease = sim.Lease();
        fixed (double* p = destination)
            Status.Check(NativeMethods.simulation_get_array(lease.Ptr, (int)kind, index, p, destination.Length));
    }

    /// <summary>TimedArray input <paramref name="input"/>: <paramref name="values"/> is [time][column] row-major.</summary>
    public static void SetInput(SimulationHandle sim, int input, ReadOnlySpan<double> values, long columns, double dtInput)
    {
        if (columns < 1 || values.Length % columns != 0)
            throw new ArgumentException($"{values.Length} input values do not fill rows of {columns} columns", nameof(values));
        using var lease = sim.Lease();
        fixed (double* p = values)
            Status.Check(NativeMethods.simulation_set_input(lease.Ptr, input, p, values.Length / columns, columns, dtInput));
    }

    public static void AddEvents(SimulationHandle sim, int eventSection, ReadOnlySpan<long> neurons,
                                 ReadOnlySpan<double> times, ReadOnlySpan<double> values)
    {
        if (times.Length != neurons.Length || values.Length != neurons.Length)
            throw new ArgumentException($"events need as many times ({times.Length}) and values ({values.Length}) as neurons ({neurons.Length})");
        using var lease = sim.Lease();
        fixed (long* n = neurons)
        fixed (double* t = times)
        fixed (double* v = values)
            Status.Check(NativeMethods.simulation_add_events(lease.Ptr, eventSection, n, t, v, neurons.Length));
    }

    public static void RecordSpikes(SimulationHandle sim, bool enabled)
    {
        using var lease = sim.Lease();
        Status.Check(NativeMethods.simulation_record_spikes(lease.Ptr, enabled ? 1 : 0));
    }

    /// <summary>Records variables (kinds[j], indices[j]) of <paramref name="neurons"/> every
    /// <paramref name="everySteps"/> steps; returns the monitor id.</summary>
    public static int AddStateMonitor(SimulationHandle sim, ReadOnlySpan<nn_array_kind> kinds, ReadOnlySpan<int> indices,
                                      ReadOnlySpan<long> neurons, long everySteps)
    {
        if (indices.Length != kinds.Length)
            throw new ArgumentException($"{kinds.Length} variable kinds but {indices.Length} indices", nameof(indices));
        using var lease = sim.Lease();
        int monitor;
        fixed (nn_array_kind* k = kinds)
        fixed (int* i = indices)
        fixed (long* n = neurons)
            Status.Check(NativeMethods.simulation_add_state_monitor(
                lease.Ptr, (int*)k, i, kinds.Length, n, neurons.Length, everySteps, &monitor));
        return monitor;
    }

    public static void SetMonitorEnabled(SimulationHandle sim, int monitor, bool enabled)
    {
        using var lease = sim.Lease();
        Status.Check(NativeMethods.simulation_set_monitor_enabled(lease.Ptr, monitor, enabled ? 1 : 0));
    }

    /// <summary>One more sample of the current state (Brian's record_single_timestep).</summary>
    public static void RecordMonitorSample(SimulationHandle sim, int monitor)
    {
        using var lease = sim.Lease();
        Status.Check(NativeMethods.simulation_record_monitor_sample(lease.Ptr, monitor));
    }

    public static void SetMonitorSlot(SimulationHandle sim, int monitor, int slot, int afterOperations)
    {
        using var lease = sim.Lease();
        Status.Check(NativeMethods.simulation_set_monitor_slot(lease.Ptr, monitor, slot, afterOperations));
    }

    /// <summary>Advances <paramref name="steps"/> steps. Cancellation stops at the next progress call
    /// (the steps done are kept) with <see cref="OperationCanceledException"/>.</summary>
    public static void Run(SimulationHandle sim, long steps, IProgress<(long Done, long Total)>? progress,
                           CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        using var lease = sim.Lease();
        if (progress is null && !cancellation.CanBeCanceled)
        {
            Status.Check(NativeMethods.simulation_run(lease.Ptr, steps, null, null));
            return;
        }
        var state = new RunState(progress, cancellation);
        var handle = GCHandle.Alloc(state);
        int status;
        try
        {
            status = NativeMethods.simulation_run(lease.Ptr, steps, &OnProgress, (void*)GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
        // The callback stopped the run because the progress sink threw: that is the error to report.
        state.Error?.Throw();
        Status.Check(status, cancellation);
    }

    private sealed class RunState(IProgress<(long Done, long Total)>? progress, CancellationToken cancellation)
    {
        public IProgress<(long Done, long Total)>? Progress { get; } = progress;
        public CancellationToken Cancellation { get; } = cancellation;
        public ExceptionDispatchInfo? Error { get; set; }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnProgress(long done, long total, void* user)
    {
        var state = (RunState)GCHandle.FromIntPtr((IntPtr)user).Target!;
        // An exception must not unwind through native frames: keep it and ask the run to stop.
        try
        {
            state.Progress?.Report((done, total));
            return state.Cancellation.IsCancellationRequested ? 1 : 0;
        }
        catch (Exception e)
        {
            state.Error = ExceptionDispatchInfo.Capture(e);
            return 1;
        }
    }

    public static (long Step, double Time) GetTime(SimulationHandle sim)
    {
        using var lease = sim.Lease();
        long step;
        double t;
        Status.Check(NativeMethods.simulation_get_time(lease.Ptr, &step, &t));
        return (step, t);
    }

    #endregion

    #region results

    public static long GetSpikeTotal(SimulationHandle sim)
    {
        using var lease = sim.Lease();
        long total;
        Status.Check(NativeMethods.simulation_get_spike_total(lease.Ptr, &total));
        return total;
    }

    /// <summary>All spikes so far, ordered by (time, index).</summary>
    public static (long[] Indices, double[] Times) GetSpikes(SimulationHandle sim) =>
        Events(sim, GetSpikeTotal(sim), (p, i, t, capacity, count) => NativeMethods.simulation_get_spikes(p, i, t, capacity, count));

    /// <summary>An event monitor of the neurons whose <paramref name="parameter"/> is non-zero, or with
    /// <see cref="SpikeEvents"/> of the spikes, recording the variables (kinds[j], indices[j]) with each event.</summary>
    public static int AddEventMonitor(SimulationHandle sim, int parameter, int slot, int afterOperations,
                                      ReadOnlySpan<nn_array_kind> kinds, ReadOnlySpan<int> indices)
    {
        if (indices.Length != kinds.Length)
            throw new ArgumentException($"{kinds.Length} variable kinds but {indices.Length} indices", nameof(indices));
        using var lease = sim.Lease();
        int monitor;
        fixed (nn_array_kind* k = kinds)
        fixed (int* i = indices)
        {
            var desc = new nn_event_monitor_desc
            {
                struct_size = sizeof(nn_event_monitor_desc), param = parameter, slot = slot, after_operations = afterOperations,
                n_vars = kinds.Length, kinds = (int*)k, indices = i,
            };
            Status.Check(NativeMethods.simulation_add_event_monitor_v2(lease.Ptr, &desc, &monitor));
        }
        return monitor;
    }

    /// <summary>The event of <see cref="AddEventMonitor"/> that is the step's spikes.</summary>
    public const int SpikeEvents = NativeMethods.NN_EVENT_SPIKES;

    /// <summary>Variable <paramref name="variable"/> of an event monitor at each of its events, in their order.</summary>
    public static double[] GetEventValues(SimulationHandle sim, int monitor, int variable)
    {
        var values = new double[GetEventTotal(sim, monitor)];
        using var lease = sim.Lease();
        fixed (double* v = values)
            Status.Check(NativeMethods.simulation_get_event_values(lease.Ptr, monitor, variable, v, values.LongLength));
        return values;
    }

    public static long GetEventTotal(SimulationHandle sim, int monitor)
    {
        using var lease = sim.Lease();
        long total;
        Status.Check(NativeMethods.simulation_get_event_total(lease.Ptr, monitor, &total));
        return total;
    }

    /// <summary>All events an event monitor recorded so far, ordered by (time, index).</summary>
    public static (long[] Indices, double[] Times) GetEvents(SimulationHandle sim, int monitor) =>
        Events(sim, GetEventTotal(sim, monitor), (p, i, t, capacity, count) => NativeMethods.simulation_get_events(p, monitor, i, t, capacity, count));

    private delegate int EventsFetch(nn_simulation* sim, long* indices, double* times, long capacity, long* count);

    private static (long[] Indices, double[] Times) Events(SimulationHandle sim, long total, EventsFetch fetch)
    {
        var indices = new long[total];
        var times = new double[total];
        long count;
        using (var lease = sim.Lease())
        {
            fixed (long* i = indices)
            fixed (double* t = times)
                Status.Check(fetch(lease.Ptr, i, t, total, &count));
        }
        return count == total ? (indices, times) : (indices[..(int)count], times[..(int)count]);
    }

    public static long[] GetSpikeCounts(SimulationHandle sim, long neurons)
    {
        var counts = new long[neurons];
        using var lease = sim.Lease();
        fixed (long* c = counts)
            Status.Check(NativeMethods.simulation_get_spike_counts(lease.Ptr, c, neurons));
        return counts;
    }

    /// <summary>Spikes in each step run so far.</summary>
    public static long[] GetStepSpikeCounts(SimulationHandle sim)
    {
        long steps = GetTime(sim).Step;
        var counts = new long[steps];
        long written;
        using (var lease = sim.Lease())
        {
            fixed (long* c = counts)
                Status.Check(NativeMethods.simulation_get_step_spike_counts(lease.Ptr, c, steps, &written));
        }
        return written == steps ? counts : counts[..(int)written];
    }

    public static long GetMonitorSize(SimulationHandle sim, int monitor)
    {
        using var lease = sim.Lease();
        long samples;
        Status.Check(NativeMethods.simulation_get_monitor_size(lease.Ptr, monitor, &samples));
        return samples;
    }

    /// <summary>Variable <paramref name="variable"/> of the monitor as [neuron][sample], row-major;
    /// <paramref name="monitoredNeurons"/> is the number of neurons the monitor was created with.</summary>
    public static double[] GetMonitorValues(SimulationHandle sim, int monitor, int variable, long monitoredNeurons)
    {
        var values = new double[checked(monitoredNeurons * GetMonitorSize(sim, monitor))];
        using var lease = sim.Lease();
        fixed (double* v = values)
            Status.Check(NativeMethods.simulation_get_monitor_values(lease.Ptr, monitor, variable, v, values.LongLength));
        return values;
    }

    public static void Reset(SimulationHandle sim)
    {
        using var lease = sim.Lease();
        Status.Check(NativeMethods.simulation_reset(lease.Ptr));
    }

    public static byte[] Snapshot(SimulationHandle sim)
    {
        using var lease = sim.Lease();
        long size;
        Status.Check(NativeMethods.simulation_snapshot(lease.Ptr, null, 0, &size));
        var blob = new byte[size];
        fixed (byte* b = blob)
            Status.Check(NativeMethods.simulation_snapshot(lease.Ptr, b, blob.LongLength, &size));
        return blob;
    }

    public static void Restore(SimulationHandle sim, ReadOnlySpan<byte> blob)
    {
        using var lease = sim.Lease();
        fixed (byte* b = blob)
            Status.Check(NativeMethods.simulation_restore(lease.Ptr, b, blob.Length));
    }

    /// <summary><paramref name="target"/> is [row][sample] row-major with <paramref name="targetRows"/> rows (MSE only).</summary>
    public static int AddReducer(SimulationHandle sim, nn_reducer_kind kind, nn_array_kind variableKind, int variableIndex,
                                 long startStep, long endStep, long everySteps, long capacity, ReadOnlySpan<double> target,
                                 long targetRows)
    {
        if (targetRows > 0 && target.Length % targetRows != 0)
            throw new ArgumentException($"{target.Length} target values do not fill {targetRows} rows", nameof(target));
        using var lease = sim.Lease();
        int reducer;
        fixed (double* t = target)
        {
            var desc = new nn_reducer_desc
            {
                struct_size = sizeof(nn_reducer_desc),
                kind = (int)kind,
                var_kind = (int)variableKind,
                var_index = variableIndex,
                start_step = startStep,
                end_step = endStep,
                every_steps = everySteps,
                capacity = capacity,
                target = target.IsEmpty ? null : t,
                target_rows = targetRows,
                target_samples = targetRows > 0 ? target.Length / targetRows : 0,
            };
            Status.Check(NativeMethods.simulation_add_reducer(lease.Ptr, &desc, &reducer));
        }
        return reducer;
    }

    /// <summary>The reducer's values as [neuron][j] row-major, and j's range (1, or its capacity).</summary>
    public static (double[] Values, long Width) GetReducerValues(SimulationHandle sim, int reducer, long neurons)
    {
        using var lease = sim.Lease();
        long width;
        Status.Check(NativeMethods.simulation_get_reducer_width(lease.Ptr, reducer, &width));
        var values = new double[checked(neurons * width)];
        fixed (double* v = values)
            Status.Check(NativeMethods.simulation_get_reducer_values(lease.Ptr, reducer, v, values.LongLength));
        return (values, width);
    }

    public static double[] GetMonitorTimes(SimulationHandle sim, int monitor)
    {
        var times = new double[GetMonitorSize(sim, monitor)];
        using var lease = sim.Lease();
        fixed (double* t = times)
            Status.Check(NativeMethods.simulation_get_monitor_times(lease.Ptr, monitor, t, times.LongLength));
        return times;
    }

    #endregion
}
