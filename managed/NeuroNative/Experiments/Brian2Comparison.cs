using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NeuroNative.Experiments;

/// <summary>The Python of <see cref="Brian2ComparisonOptions.Python"/> cannot import brian2.</summary>
public sealed class Brian2NotAvailableException(string message) : Exception(message);

/// <summary>The generated Brian 2 script failed; the message holds the end of its output.</summary>
public sealed class Brian2ScriptException(string message) : Exception(message);

/// <summary>How far the two simulators may differ and still agree. The defaults are the acceptance
/// criteria of the reference cases: identical spike counts, spikes in the same step, traces within
/// 1e-6 of each variable's range.</summary>
public sealed record Brian2Tolerances
{
    /// <summary>Largest allowed difference of a neuron's spike counts.</summary>
    public long SpikeCount { get; init; }
    /// <summary>Largest allowed difference, in steps, between a neuron's k-th spikes.</summary>
    public long SpikeSteps { get; init; }
    /// <summary>Largest allowed trace deviation, relative to the variable's range in Brian's recording.</summary>
    public double RelativeTrace { get; init; } = 1e-6;
}

public sealed record Brian2ComparisonOptions
{
    public Brian2Device Device { get; init; } = Brian2Device.Runtime;
    /// <summary>The runtime device's code generation target.</summary>
    public Brian2Target Target { get; init; } = Brian2Target.Auto;
    /// <summary>The Python that runs the script: the system one, where Debian's python3-brian lives.</summary>
    public string Python { get; init; } = "/usr/bin/python3";
    /// <summary>NeuroNative's worker threads, and cpp_standalone's OpenMP threads (the runtime device has one).</summary>
    public int Threads { get; init; } = 1;
    public Backend Backend { get; init; } = Backend.Auto;
    public Brian2Tolerances Tolerances { get; init; } = new();
}

/// <summary>One simulator's timings: code generation and compilation apart from the step loop.</summary>
public sealed record SimulatorSpeed(string Simulator, string Detail, int Threads, double CompileSeconds, double SimulationSeconds,
    double NeuronSteps)
{
    public double NeuronStepsPerSecond => SimulationSeconds > 0 ? NeuronSteps / SimulationSeconds : double.PositiveInfinity;
}

/// <summary>The largest |NeuroNative − Brian| of one recorded variable, where it happened, and the
/// <see cref="Scale"/> it is measured against: the variable's range over Brian's recording (its largest
/// magnitude when constant, 1 when zero throughout).</summary>
public sealed record TraceDeviation(string Variable, double Scale, double MaxDeviation, long Neuron, long Sample)
{
    public double Relative => MaxDeviation / Scale;
}

/// <summary>What <see cref="Brian2Comparison.Run"/> found. Spike fields are null when spikes were not
/// recorded; <see cref="Disagreements"/> lists, in words, each tolerance exceeded.</summary>
public sealed record Brian2ComparisonResult
{
    public required Experiment Experiment { get; init; }
    public required Brian2Device Device { get; init; }
    public required string Brian2Version { get; init; }
    public required string ScriptPath { get; init; }
    public required Brian2Tolerances Tolerances { get; init; }
    public required ExperimentResult NeuroNativeRun { get; init; }
    public int? NeuronsWithEqualSpikeCounts { get; init; }
    public long? NeuroNativeSpikes { get; init; }
    public long? Brian2Spikes { get; init; }
    /// <summary>Pairs (a neuron's k-th spike in both runs) compared, and how many fall in the same step.</summary>
    public long? SpikePairs { get; init; }
    public long? SpikesInSameStep { get; init; }
    public long? LargestStepDifference { get; init; }
    public IReadOnlyList<TraceDeviation> Traces { get; init; } = [];
    public required SimulatorSpeed NeuroNative { get; init; }
    public required SimulatorSpeed Brian2 { get; init; }
    public required IReadOnlyList<string> Disagreements { get; init; }

    public bool Agrees => Disagreements.Count == 0;

    /// <summary>NeuroNative's neuron-steps per second over Brian's (above 1: NeuroNative is faster).</summary>
    public double SpeedRatio => NeuroNative.NeuronStepsPerSecond / Brian2.NeuronStepsPerSecond;

    /// <summary>The side-by-side report (Markdown).</summary>
    public string Report()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var t = Tolerances;
        sb.Append(inv, $"# {Path.GetFileName(Experiment.Source)}: NeuroNative vs Brian {Brian2Version} ({DeviceName(Device)})\n\n");
        sb.Append(inv, $"{Experiment.N} neurons x {NeuroNativeRun.StepsRequested} steps of {Experiment.Dt:R} s; " +
            $"method {Experiment.Program.MethodName}; Brian script: {ScriptPath}\n\n");
        sb.Append("| check | result | tolerance |\n|---|---|---|\n");
        if (NeuronsWithEqualSpikeCounts is { } equal)
        {
            sb.Append(inv, $"| neurons with identical spike counts | {equal} of {Experiment.N} | counts within {t.SpikeCount} |\n");
            sb.Append(inv, $"| spikes (NeuroNative, Brian) | {NeuroNativeSpikes}, {Brian2Spikes} | |\n");
            sb.Append(inv, $"| spikes in the same step | {SpikesInSameStep} of {SpikePairs} (largest difference {LargestStepDifference} steps) " +
                $"| within {t.SpikeSteps} steps |\n");
        }
        foreach (var d in Traces)
            sb.Append(inv, $"| trace {d.Variable}: largest deviation / range | {d.Relative:G3} ({d.MaxDeviation:G3} of {d.Scale:G6}, " +
                $"neuron {d.Neuron}, sample {d.Sample}) | {t.RelativeTrace:G3} |\n");
        sb.Append("\n| simulator | threads | compile (s) | simulation (s) | neuron-steps/s |\n|---|---|---|---|---|\n");
        foreach (var s in new[] { NeuroNative, Brian2 })
            sb.Append(inv, $"| {s.Simulator} ({s.Detail}) | {s.Threads} | {s.CompileSeconds:F2} | {s.SimulationSeconds:F3} | " +
                $"{s.NeuronStepsPerSecond:0.00e+00} |\n");
        sb.Append(inv, $"\nSpeed ratio (NeuroNative / Brian, compile time apart): {SpeedRatio:F2}\n\n");
        sb.Append(Agrees ? "Agree within the tolerances.\n" : "DISAGREE:\n" + string.Concat(Disagreements.Select(d => $"- {d}\n")));
        return sb.ToString();
    }

    internal static string DeviceName(Brian2Device device) => device == Brian2Device.Runtime ? "runtime" : "cpp_standalone";
}

/// <summary>
/// Runs an experiment on Brian 2 (the script of <see cref="Brian2Script"/>) and on NeuroNative
/// (<see cref="ExperimentRunner"/>), and compares spike counts, spike steps and traces. The directory
/// keeps the script, both simulators' results (<see cref="Brian2Script.ResultsFolder"/>,
/// <see cref="NeuroNativeFolder"/>) and the report (<see cref="ReportFile"/>).
/// </summary>
public static class Brian2Comparison
{
    public const string NeuroNativeFolder = "neuronative_results";
    public const string ReportFile = "comparison.md";

    /// <summary>The brian2 version <paramref name="python"/> imports.</summary>
    /// <exception cref="Brian2NotAvailableException">It cannot be run or cannot import brian2.</exception>
    public static string Brian2Version(string python)
    {
        // From the temporary folder: the current one could hold a folder that shadows a package.
        var (code, output) = RunPython(python, ["-c", "import sys, brian2; sys.stdout.write('brian2 ' + brian2.__version__)"],
            Path.GetTempPath(), CancellationToken.None);
        var version = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("brian2 ", StringComparison.Ordinal));
        return code == 0 && version is not null ? version["brian2 ".Length..] : throw NotAvailable(python, output);
    }

    private static (int Code, string Output) RunPython(string python, IEnumerable<string> args, string directory,
        CancellationToken cancellation)
    {
        try { return ChildProcess.Run(python, args, directory, cancellation); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Brian2NotAvailableException($"cannot run the Python '{python}' that runs Brian 2: {e.Message}");
        }
    }

    private static Brian2NotAvailableException NotAvailable(string python, string output) =>
        new($"{python} cannot import brian2 ({LastLine(output)}); install Brian 2 for it " +
            "(Debian: apt-get install python3-brian, or ./build.sh deps)");

    /// <summary>Writes the Brian 2 script into <paramref name="directory"/> and runs it, runs NeuroNative on the
    /// same experiment, and compares the two; both results and the report stay in the directory.</summary>
    /// <exception cref="NotSupportedException">The model draws random numbers or has input events.</exception>
    /// <exception cref="Brian2NotAvailableException">The Python cannot be run or cannot import Brian 2.</exception>
    /// <exception cref="Brian2ScriptException">The script failed, or did not leave its results.</exception>
    public static Brian2ComparisonResult Run(Experiment experiment, string directory, Brian2ComparisonOptions options,
        CancellationToken cancellation = default)
    {
        string script = Brian2Script.Write(experiment, directory, options.Device, options.Threads, options.Target);
        string folder = Path.GetDirectoryName(script)!;
        var (code, log) = RunPython(options.Python, [script], folder, cancellation);
        // The script's own import tells whether Brian is there, sparing a second start of Python (seconds).
        if (code == Brian2Script.MissingBrianExitCode) throw NotAvailable(options.Python, log);
        if (code != 0)
            throw new Brian2ScriptException($"the Brian 2 script {script} failed (exit code {code}):\n{Tail(log, 30)}");

        var output = ExperimentOutput.Open(Path.Combine(folder, NeuroNativeFolder));
        output.WriteConditions(experiment);
        output.WriteReport(experiment, Path.GetFileNameWithoutExtension(experiment.Source));
        var run = ExperimentRunner.Run(experiment, new RunSettings { Backend = options.Backend, Threads = options.Threads },
            cancellation: cancellation);
        output.WriteResults(run);

        var result = Compare(run, Path.Combine(folder, Brian2Script.ResultsFolder), options);
        ExperimentOutput.Open(folder).WriteText(ReportFile, result.Report());
        return result;
    }

    /// <summary>Compares a NeuroNative run with the results a Brian 2 script wrote earlier.</summary>
    /// <param name="brianFolder">The script's <see cref="Brian2Script.ResultsFolder"/> (the script lies beside it).</param>
    /// <exception cref="Brian2ScriptException">A file the script writes is missing or unreadable.</exception>
    public static Brian2ComparisonResult Compare(ExperimentResult run, string brianFolder, Brian2ComparisonOptions options)
    {
        string script = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(brianFolder))!, Brian2Script.FileName);
        var e = run.Experiment;
        var t = options.Tolerances;
        var disagreements = new List<string>();
        if (run.Outcome != RunOutcome.Completed)
            disagreements.Add($"the NeuroNative run did not complete ({run.Outcome.ToString().ToLowerInvariant()}{(run.Error is null ? "" : ": " + run.Error)})");

        var (version, brianSpeed) = BrianRun(Path.Combine(brianFolder, Brian2Script.TimingFile), options.Device,
            (double)e.N * run.StepsRequested);
        var ours = new SimulatorSpeed("NeuroNative", run.Backend, run.Threads, run.CompileSeconds, run.SimulationSeconds,
            (double)e.N * run.StepsDone);

        var result = new Brian2ComparisonResult
        {
            Experiment = e,
            Device = options.Device,
            Brian2Version = version,
            ScriptPath = script,
            Tolerances = t,
            NeuroNativeRun = run,
            NeuroNative = ours,
            Brian2 = brianSpeed,
            Disagreements = disagreements,
        };
        if (e.RecordSpikes) result = CompareSpikes(result, brianFolder, disagreements);
        if (e.RecordState is { } state)
            result = result with { Traces = CompareTraces(run, state, brianFolder, t.RelativeTrace, disagreements) };
        return result;
    }

    /// <summary>Brian's version and timings, from the script's brian2.json.</summary>
    private static (string Version, SimulatorSpeed Speed) BrianRun(string path, Brian2Device device, double neuronSteps)
    {
        try
        {
            using var timing = JsonDocument.Parse(File.ReadAllText(path));
            var info = timing.RootElement;
            string detail = device == Brian2Device.Runtime ? $"runtime, {info.GetProperty("codegen_target").GetString()}" : "cpp_standalone";
            return (info.GetProperty("brian2_version").GetString()!, new SimulatorSpeed("Brian 2", detail, info.GetProperty("threads").GetInt32(),
                info.GetProperty("compile_s").GetDouble(), info.GetProperty("sim_s").GetDouble(), neuronSteps));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException
                                      or InvalidOperationException or FormatException)
        {
            throw new Brian2ScriptException($"the Brian 2 script did not leave a readable {path} (brian2_version, compile_s, sim_s, threads): {e.Message}");
        }
    }

    /// <summary>Per neuron, the k-th spikes of both runs are paired and their steps compared.</summary>
    private static Brian2ComparisonResult CompareSpikes(Brian2ComparisonResult result, string brianFolder, List<string> disagreements)
    {
        var run = result.NeuroNativeRun;
        var t = result.Tolerances;
        var e = result.Experiment;
        var brianCounts = ReadInt64(brianFolder, "spike_counts.npy");
        var ourSteps = StepsByNeuron(e, run.SpikeIndices!, run.SpikeTimes!);
        var brianSteps = StepsByNeuron(e, ReadInt64(brianFolder, "spikes_index.npy"), ReadFloat64(brianFolder, "spikes_time.npy"));
        int equal = 0;
        long pairs = 0, sameStep = 0, largest = 0;
        var countExamples = new List<string>();
        var stepExamples = new List<string>();
        int countsOff = 0, stepsOff = 0;
        for (int i = 0; i < e.N; i++)
        {
            long ours = run.SpikeCounts![i], theirs = brianCounts[i];
            if (ours == theirs) equal++;
            if (Math.Abs(ours - theirs) > t.SpikeCount && countsOff++ < 5)
                countExamples.Add($"neuron {i}: {ours} spikes in NeuroNative, {theirs} in Brian 2");
            var a = ourSteps[i];
            var b = brianSteps[i];
            for (int k = 0; k < Math.Min(a.Count, b.Count); k++)
            {
                long d = Math.Abs(a[k] - b[k]);
                pairs++;
                if (d == 0) sameStep++;
                largest = Math.Max(largest, d);
                if (d > t.SpikeSteps && stepsOff++ < 5)
                    stepExamples.Add($"neuron {i}, spike {k}: step {a[k]} in NeuroNative, {b[k]} in Brian 2");
            }
        }
        if (countsOff > 0)
            disagreements.Add($"{countsOff} neurons' spike counts differ by more than {t.SpikeCount}: " +
                string.Join("; ", countExamples) + (countsOff > 5 ? "; ..." : ""));
        if (stepsOff > 0)
            disagreements.Add($"{stepsOff} spikes are more than {t.SpikeSteps} steps apart: " +
                string.Join("; ", stepExamples) + (stepsOff > 5 ? "; ..." : ""));
        return result with
        {
            NeuronsWithEqualSpikeCounts = equal,
            NeuroNativeSpikes = run.SpikeIndices!.LongLength,
            Brian2Spikes = brianCounts.Sum(),
            SpikePairs = pairs,
            SpikesInSameStep = sameStep,
            LargestStepDifference = largest,
        };
    }

    /// <summary>Spike times are k·dt in both simulators, so rounding t/dt recovers the step k.</summary>
    private static List<long>[] StepsByNeuron(Experiment e, long[] indices, double[] times)
    {
        var steps = Enumerable.Range(0, e.N).Select(_ => new List<long>()).ToArray();
        for (long s = 0; s < indices.LongLength; s++)
            if (indices[s] >= 0 && indices[s] < e.N) steps[indices[s]].Add((long)Math.Round(times[s] / e.Dt));
        foreach (var list in steps) list.Sort();
        return steps;
    }

    private static List<TraceDeviation> CompareTraces(ExperimentResult run, StateRecording state, string brianFolder,
        double tolerance, List<string> disagreements)
    {
        var deviations = new List<TraceDeviation>();
        foreach (var trace in run.StateValues)
        {
            var (shape, theirs) = ReadBrian(brianFolder, $"state_{trace.Variable}.npy", Npy.ReadFloat64);
            long samples = shape.Length == 2 ? shape[1] : 0;
            long ourSamples = run.StateTimes!.LongLength;
            if (shape.Length != 2 || shape[0] != state.Neurons.Count || samples != ourSamples)
                disagreements.Add($"{trace.Variable}: Brian 2 recorded [{string.Join(", ", shape)}] values, NeuroNative " +
                    $"[{state.Neurons.Count}, {ourSamples}]");
            long common = Math.Min(samples, ourSamples);
            double min = double.PositiveInfinity, max = double.NegativeInfinity, magnitude = 0;
            foreach (double v in theirs.Where(double.IsFinite))
                (min, max, magnitude) = (Math.Min(min, v), Math.Max(max, v), Math.Max(magnitude, Math.Abs(v)));
            double scale = max > min ? max - min : magnitude > 0 ? magnitude : 1;
            double worst = 0;
            long worstNeuron = state.Neurons.Count > 0 ? state.Neurons[0] : 0, worstSample = 0;
            for (int n = 0; n < Math.Min(state.Neurons.Count, shape.Length == 2 ? shape[0] : 0); n++)
                for (long s = 0; s < common; s++)
                {
                    double a = trace.Values[n][s], b = theirs[n * samples + s];
                    // NaN in one run only is the worst deviation there is; NaN in both agrees.
                    double d = a.Equals(b) ? 0 : Math.Abs(a - b);
                    if (!(d <= worst)) (worst, worstNeuron, worstSample) = (double.IsNaN(d) ? double.PositiveInfinity : d, state.Neurons[n], s);
                }
            var deviation = new TraceDeviation(trace.Variable, scale, worst, worstNeuron, worstSample);
            deviations.Add(deviation);
            if (!(deviation.Relative <= tolerance))
                disagreements.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{trace.Variable}: deviation {worst:G3} at neuron {worstNeuron}, sample {worstSample} is {deviation.Relative:G3} " +
                    $"of the range {scale:G6}, more than {tolerance:G3}"));
        }
        return deviations;
    }

    private static long[] ReadInt64(string folder, string name) => ReadBrian(folder, name, Npy.ReadInt64).Values;

    private static double[] ReadFloat64(string folder, string name) => ReadBrian(folder, name, Npy.ReadFloat64).Values;

    /// <summary>A C-order .npy file that the Brian script wrote, with its shape.</summary>
    private static (long[] Shape, T[] Values) ReadBrian<T>(string folder, string name, Func<byte[], T[]> read)
    {
        string path = Path.Combine(folder, name);
        try
        {
            var bytes = File.ReadAllBytes(path);
            var header = Npy.ReadHeader(bytes);
            if (header.FortranOrder) throw new FormatException("expected C order, found Fortran order");
            return (header.Shape, read(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new Brian2ScriptException($"the Brian 2 script did not leave a readable {path}: {e.Message}");
        }
    }

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).LastOrDefault() ?? "no output";

    private static string Tail(string output, int lines) =>
        string.Join('\n', output.TrimEnd().Split('\n').TakeLast(lines));
}
