using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using NeuroNative.Backends;
using NeuroNative.Backends.Cpp;
using NeuroNative.Experiments;
using NeuroNative.Explorations;
using NeuroNative.Runs;
using NeuroNative.Models;

namespace NeuroNative.Cli;

/// <summary>
/// <c>neuronative run</c>, <c>neuronative codegen</c>, <c>neuronative compare</c> and <c>neuronative plot</c>. Everything goes through <see cref="Run"/>, which
/// never throws: problems are one clear message on stderr and an exit code.
/// </summary>
public static partial class CliApp
{
    public const int ExitOk = 0;
    /// <summary>Runtime or I/O error (unwritable output, native failure, diverged simulation).</summary>
    public const int ExitRuntimeError = 1;
    /// <summary>Bad command line, or an error in the experiment file or model.</summary>
    public const int ExitUsageError = 2;
    /// <summary><c>compare</c>: the two simulators disagree beyond the tolerances.</summary>
    public const int ExitDisagree = 3;
    /// <summary><c>compare</c>: the reference simulator (Brian 2) is not installed.</summary>
    public const int ExitReferenceMissing = 4;
    /// <summary>Interrupted (Ctrl+C): partial results were written. 128 + SIGINT, as shells report it.</summary>
    public const int ExitCancelled = 130;

    /// <param name="progress">How a run shows its progress on <paramref name="stderr"/>.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellation = default, ProgressMode progress = ProgressMode.None)
    {
        var root = BuildCommands(stdout, stderr, cancellation, progress);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            foreach (var error in parsed.Errors) stderr.WriteLine($"neuronative: {error.Message}");
            string command = parsed.CommandResult.Command == root ? "" : parsed.CommandResult.Command.Name + " ";
            stderr.WriteLine($"Run 'neuronative {command}--help' for usage.");
            return ExitUsageError;
        }
        return parsed.Invoke(new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Ctrl+C is ours: the run stops at a step boundary and writes its results
        });
    }

    private static Command BuildCommands(TextWriter stdout, TextWriter stderr, CancellationToken cancellation, ProgressMode showProgress)
    {
        // A plain command rather than RootCommand, whose name would be the assembly's (NeuroNative.Cli).
        var root = new Command("neuronative",
            "Simulate batches of independent Brian 2 neurons (parameter sweeps) with a native core.")
        {
            new HelpOption(),
            new VersionOption(),
        };

        var runFile = new Argument<string>("EXPERIMENT") { Description = "The experiment file (YAML); see examples/README.md." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for the results (created if needed).", Required = true };
        var backend = new Option<string>("--backend")
        {
            Description = "auto: compiled when a C++ compiler exists and the run pays for the compile (or the kernel is cached), " +
                "else interpreted; interpreted: the native bytecode interpreter; compiled: generated C++ built by the host compiler; " +
                "cuda: the GPU (needs the CUDA driver and NVRTC; docs/gpu.md).",
            DefaultValueFactory = _ => "auto",
        };
        backend.AcceptOnlyFromAmong("auto", "interpreted", "compiled", "cuda");
        var precision = new Option<string>("--precision")
        {
            Description = "float64: as Brian 2; float32: the compiled backend's integration step in single precision, the state stored in double (faster, less accurate).",
            DefaultValueFactory = _ => "float64",
        };
        precision.AcceptOnlyFromAmong("float64", "float32");
        var threads = new Option<int>("--threads")
        {
            Description = "Worker threads; 0 uses every hardware thread.",
            DefaultValueFactory = _ => 0,
        };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0) r.AddError("--threads must be 0 (all hardware threads) or more");
        });
        var seed = new Option<ulong?>("--seed") { Description = "Random seed; overrides the file's 'seed'." };
        var stopAt = new Option<long?>("--stop-at-step")
        {
            Description = "Stop when the run reaches this step, write the results so far and a snapshot (--snapshot) to resume from.",
        };
        stopAt.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() < 0) r.AddError("--stop-at-step must be a step number >= 0");
        });
        var snapshot = new Option<string?>("--snapshot") { Description = "Where --stop-at-step writes the snapshot." };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue from a snapshot written by --stop-at-step for the same experiment and seed; the results " +
                "are those of an uninterrupted run.",
        };
        var chunkSize = new Option<int?>("--chunk-size") { Description = "Conditions per chunk of a resumable run (default: from memory and threads)." };
        chunkSize.Validators.Add(r => { if (r.GetValueOrDefault<int?>() < 1) r.AddError("--chunk-size must be 1 or more"); });
        var restart = new Option<bool>("--restart") { Description = "Start over in a directory that holds another or an unfinished run." };
        var snapshotEvery = new Option<double>("--snapshot-every")
        {
            Description = "Seconds between snapshots of the chunk being run (and one when stopped by Ctrl-C or SIGTERM), so that a " +
                "kill loses at most that much of a long chunk; 0: no snapshots.",
            DefaultValueFactory = _ => 300,
        };
        snapshotEvery.Validators.Add(r => { if (!(r.GetValueOrDefault<double>() >= 0)) r.AddError("--snapshot-every must be 0 or more seconds"); });
        var shard = new Option<string?>("--shard") { Description = "Run shard K of N (K/N, K from 0): a contiguous part of the conditions, merged later with 'neuronative merge'." };
        var run = new Command("run", "Run an experiment and write its results (conditions.csv, *.npy, run.json, model.md) to --out. " +
            "A Brian-model run is chunked and resumable: run it again on the same --out to continue after a kill.")
        {
            runFile, output, backend, precision, threads, seed, stopAt, snapshot, resume, chunkSize, restart, shard, snapshotEvery,
        };
        run.Validators.Add(r =>
        {
            if (r.GetValue(stopAt) is not null && r.GetValue(snapshot) is null) r.AddError("--stop-at-step needs --snapshot FILE");
        });
        run.SetAction(p => Guard(stderr, p.GetValue(runFile)!, () => RunExperiment(
            p.GetValue(runFile)!, p.GetValue(output)!, new RunSettings
            {
                Backend = ParseBackend(p.GetValue(backend)),
                Precision = p.GetValue(precision) == "float32" ? Precision.Float32 : Precision.Float64,
                Threads = p.GetValue(threads),
                Seed = p.GetValue(seed),
                StopAtStep = p.GetValue(stopAt),
                SnapshotPath = p.GetValue(snapshot),
                ResumeFrom = p.GetValue(resume),
            }, new ChunkOptions
            {
                ChunkSize = p.GetValue(chunkSize),
                Restart = p.GetValue(restart),
                Shard = p.GetValue(shard) is { } text ? ParseShard(text) : null,
                SnapshotInterval = p.GetValue(snapshotEvery) is > 0 and var every ? TimeSpan.FromSeconds(every) : null,
            }, stdout, stderr, cancellation, showProgress)));

        var codegenFile = new Argument<string>("EXPERIMENT") { Description = "The experiment file (YAML)." };
        var target = new Option<string>("--target", "-t")
        {
            Description = "ir: the step program's IR; bytecode: the interpreter's instructions; cpp: the compiled backend's C++ " +
                "(float64); cuda: the GPU backend's CUDA kernel (float64, one translation unit); report: the Markdown model report.",
            Required = true,
        };
        target.AcceptOnlyFromAmong("ir", "bytecode", "cpp", "cuda", "report");
        var codegen = new Command("codegen", "Print the code generated for an experiment's model.") { codegenFile, target };
        codegen.SetAction(p => Guard(stderr, p.GetValue(codegenFile)!, () =>
        {
            string file = p.GetValue(codegenFile)!;
            var experiment = ExperimentFile.Load(file);
            var what = Enum.Parse<CodegenTarget>(p.GetValue(target)!, ignoreCase: true);
            stdout.Write(CodeListing.Print(experiment.Program, what, Path.GetFileNameWithoutExtension(file)));
            return ExitOk;
        }));

        var reportFile = new Argument<string>("MODEL") { Description = "An experiment or exploration file (YAML)." };
        var report = new Command("report", "Print the Markdown report of a file's model: its equations (LaTeX) and parameter table.") { reportFile };
        report.SetAction(p => Guard(stderr, p.GetValue(reportFile)!, () =>
        {
            stdout.Write(ExplorationFile.Report(p.GetValue(reportFile)!));
            return ExitOk;
        }));

        var shardDirs = new Argument<string[]>("SHARD_DIR") { Description = "The output directories of run --shard K/N, every K once.", Arity = ArgumentArity.OneOrMore };
        var mergeOut = new Option<string>("--out", "-o") { Description = "Directory for the merged results.", Required = true };
        var merge = new Command("merge", "Assemble the shards of one experiment into the files of a single run.") { shardDirs, mergeOut };
        merge.SetAction(p => Guard(stderr, "merge", () =>
        {
            try
            {
                foreach (var merged in ShardMerge.Merge(p.GetValue(shardDirs)!, p.GetValue(mergeOut)!))
                    stdout.WriteLine($"merged {p.GetValue(shardDirs)!.Length} shards: {merged.Experiment.N} conditions x {merged.StepsDone} steps " +
                        $"into {Path.GetFullPath(p.GetValue(mergeOut)!)}");
                return ExitOk;
            }
            catch (InvalidDataException e)
            {
                stderr.WriteLine($"neuronative: merge: {e.Message}");
                return ExitUsageError;
            }
        }));

        root.Subcommands.Add(run);
        root.Subcommands.Add(codegen);
        root.Subcommands.Add(report);
        root.Subcommands.Add(merge);

        var statusDir = new Argument<string>("DIR") { Description = "The output directory of a (running, interrupted or finished) run or shard." };
        var status = new Command("status", "Print the chunks and conditions done of a run, its rate and what is left, from its catalog.") { statusDir };
        status.SetAction(p => Guard(stderr, "status", () =>
        {
            try
            {
                stdout.Write(RunCatalog.Status(p.GetValue(statusDir)!));
                return ExitOk;
            }
            catch (InvalidDataException e)
            {
                stderr.WriteLine($"neuronative: status: {e.Message}");
                return ExitUsageError;
            }
        }));
        root.Subcommands.Add(status);
        root.Subcommands.Add(SynapseCommand(stdout, stderr, cancellation));
        root.Subcommands.Add(SlurmCommand(stdout, stderr));
        root.Subcommands.Add(CompareCommand(stdout, stderr, cancellation, backend));
        root.Subcommands.Add(PlotCommand(stdout, stderr));
        root.Subcommands.Add(FitCommand(stdout, stderr, cancellation));
        root.Subcommands.Add(InferCommand(stdout, stderr, cancellation));
        root.Subcommands.Add(SampleCommand(stdout, stderr, cancellation));
        return root;
    }

    private static Command CompareCommand(TextWriter stdout, TextWriter stderr, CancellationToken cancellation, Option<string> backend)
    {
        var file = new Argument<string>("EXPERIMENT") { Description = "The experiment file (YAML); its model must be deterministic." };
        var with = new Option<string>("--with") { Description = "The reference simulator.", Required = true };
        with.AcceptOnlyFromAmong("brian2");
        var device = new Option<string>("--device")
        {
            Description = "Brian 2's device: runtime (Python and Cython) or cpp_standalone (a compiled C++ program, OpenMP with --threads).",
            DefaultValueFactory = _ => "runtime",
        };
        device.AcceptOnlyFromAmong("runtime", "cpp_standalone");
        var target = new Option<string>("--codegen")
        {
            Description = "The runtime device's code generation target: auto (Cython when it works), cython, or numpy (no compiler, quick to start).",
            DefaultValueFactory = _ => "auto",
        };
        target.AcceptOnlyFromAmong("auto", "cython", "numpy");
        var output = new Option<string?>("--out", "-o")
        {
            Description = $"Directory for the Brian 2 script ({Brian2Script.FileName}), both simulators' results and " +
                $"{Brian2Comparison.ReportFile}; default out/compare/<experiment name>.",
        };
        var python = new Option<string>("--python")
        {
            Description = "The Python that has Brian 2.",
            DefaultValueFactory = _ => new Brian2ComparisonOptions().Python,
        };
        var threads = new Option<int>("--threads")
        {
            Description = "NeuroNative's worker threads and cpp_standalone's OpenMP threads (the runtime device has one).",
            DefaultValueFactory = _ => new Brian2ComparisonOptions().Threads,
        };
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be 1 or more"); });
        var countTolerance = new Option<long>("--spike-count-tolerance") { Description = "Largest allowed difference of a neuron's spike counts (default 0)." };
        var stepTolerance = new Option<long>("--spike-step-tolerance") { Description = "Largest allowed difference, in steps, of a neuron's k-th spikes (default 0)." };
        var traceTolerance = new Option<double>("--trace-tolerance")
        {
            Description = "Largest allowed trace deviation relative to the variable's range in Brian's recording.",
            DefaultValueFactory = _ => new Brian2Tolerances().RelativeTrace,
        };
        foreach (var option in new[] { countTolerance, stepTolerance })
            option.Validators.Add(r => { if (r.GetValueOrDefault<long>() < 0) r.AddError($"{option.Name} must be 0 or more"); });
        traceTolerance.Validators.Add(r =>
        {
            if (!(r.GetValueOrDefault<double>() >= 0)) r.AddError("--trace-tolerance must be 0 or more");
        });
        var compare = new Command("compare",
            "Run an experiment on NeuroNative and on Brian 2 (an equivalent script, kept in --out) and compare spike counts, " +
            $"spike steps, traces and speeds. Exit {ExitDisagree} when they disagree beyond the tolerances, {ExitReferenceMissing} " +
            "when Brian 2 is not installed.")
        {
            file, with, device, target, output, backend, threads, python, countTolerance, stepTolerance, traceTolerance,
        };
        compare.SetAction(p => Guard(stderr, p.GetValue(file)!, () =>
        {
            string path = p.GetValue(file)!;
            var experiment = ExperimentFile.Load(path);
            string directory = p.GetValue(output) ?? Path.Combine("out", "compare", Path.GetFileNameWithoutExtension(path));
            var result = Brian2Comparison.Run(experiment, directory, new Brian2ComparisonOptions
            {
                Device = p.GetValue(device) == "cpp_standalone" ? Brian2Device.CppStandalone : Brian2Device.Runtime,
                Target = Enum.Parse<Brian2Target>(p.GetValue(target)!, ignoreCase: true),
                Python = p.GetValue(python)!,
                Threads = p.GetValue(threads),
                Backend = ParseBackend(p.GetValue(backend)),
                Tolerances = new Brian2Tolerances
                {
                    SpikeCount = p.GetValue(countTolerance),
                    SpikeSteps = p.GetValue(stepTolerance),
                    RelativeTrace = p.GetValue(traceTolerance),
                },
            }, cancellation);
            if (result.NeuroNativeRun.Outcome == RunOutcome.Cancelled)
            {
                stderr.WriteLine("neuronative: cancelled during the NeuroNative run; nothing compared");
                return ExitCancelled;
            }
            stdout.Write(result.Report());
            if (result.Agrees) return ExitOk;
            stderr.WriteLine($"neuronative: NeuroNative and Brian 2 disagree beyond the tolerances (report in " +
                $"{Path.Combine(Path.GetDirectoryName(result.ScriptPath)!, Brian2Comparison.ReportFile)})");
            return ExitDisagree;
        }));
        return compare;
    }

    private static Command SlurmCommand(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("EXPERIMENT") { Description = "The experiment file (YAML)." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for the shards, the merged result and the scripts.", Required = true };
        var shards = new Option<int>("--shards") { Description = "Number of array tasks (shards).", Required = true };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition." };
        var time = new Option<string?>("--time") { Description = "Time limit of each task (Slurm's --time, e.g. 02:00:00)." };
        var cpus = new Option<int>("--cpus") { Description = "CPUs per task (also its threads).", DefaultValueFactory = _ => 1 };
        var chunkSize = new Option<int?>("--chunk-size") { Description = "Conditions per chunk of each task's run (default: the run's)." };
        var extra = new Option<string[]>("--sbatch-arg") { Description = "More sbatch options for both scripts (repeatable), e.g. --sbatch-arg=--mem=4G." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Write the scripts without submitting them." };
        var slurm = new Command("slurm",
            "Run an experiment on Slurm: a job array of shards (each resumable) and a merge job after it; prints the job ids. " +
            "An inference file's shards simulate round 1 and the job after them trains on all of them.")
        {
            file, output, shards, partition, time, cpus, chunkSize, extra, dryRun,
        };
        slurm.SetAction(p => Guard(stderr, p.GetValue(file)!, () =>
        {
            // This very CLI, as the tasks must call it: the app host, or dotnet and the CLI's assembly.
            string host = Environment.ProcessPath ?? "dotnet";
            string[] self = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, typeof(CliApp).Assembly.Location] : [host];
            try
            {
                string path = p.GetValue(file)!;
                var work = IsInferenceFile(path) ? SlurmWork.Inference : SlurmWork.Experiment;
                if (work == SlurmWork.Inference) Inference.InferFile.Load(path); // its mistakes here, not in N failed tasks
                var submitted = SlurmJobs.Submit(path, p.GetValue(output)!, new SlurmOptions
                {
                    Shards = p.GetValue(shards),
                    Partition = p.GetValue(partition),
                    Time = p.GetValue(time),
                    Cpus = p.GetValue(cpus),
                    ChunkSize = p.GetValue(chunkSize),
                    SbatchArgs = p.GetValue(extra) ?? [],
                    DryRun = p.GetValue(dryRun),
                }, self, work);
                stdout.WriteLine($"scripts: {submitted.ArrayScript}, {submitted.MergeScript}");
                if (submitted.ArrayJob is not null)
                    stdout.WriteLine($"submitted: array job {submitted.ArrayJob}, merge job {submitted.MergeJob} (after the array succeeds)");
                return ExitOk;
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"neuronative: slurm: {e.Message}");
                return ExitUsageError;
            }
            catch (SlurmException e)
            {
                stderr.WriteLine($"neuronative: slurm: {e.Message}");
                return ExitRuntimeError;
            }
        }));
        return slurm;
    }

    /// <summary>An inference file has an <c>infer</c> block at the top (docs/inference.md); anything else is an
    /// experiment, and ExperimentFile reports what is wrong with it.</summary>
    private static bool IsInferenceFile(string path) =>
        YamlDocument.Parse(ExperimentFile.ReadText(path, "the file"), path) is ConfigMapping root
        && root.Entries.Any(e => e.Key.Text.Trim() == "infer");

    private static Backend ParseBackend(string? name) =>
        name switch { "interpreted" => Backend.Interpreted, "compiled" => Backend.Compiled, "cuda" => Backend.Cuda, _ => Backend.Auto };

    /// <summary>"K/N" with 0 &lt;= K &lt; N.</summary>
    private static Shard ParseShard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int k) ||
            !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int n))
            throw new NotSupportedException($"--shard: expected K/N (e.g. 0/4), not '{text}'");
        if (n < 1) throw new NotSupportedException($"--shard {text}: N must be 1 or more");
        if (k < 0 || k >= n) throw new NotSupportedException($"--shard {text}: K must be 0 to {n - 1}");
        return new Shard(k, n);
    }

    private static int RunExperiment(string file, string outDir, RunSettings settings, ChunkOptions chunking, TextWriter stdout,
        TextWriter stderr, CancellationToken cancellation, ProgressMode showProgress)
    {
        if (ExplorationFile.IsExplorationFile(file)) return RunExplorations(file, outDir, settings, chunking, stdout, stderr, cancellation, showProgress);
        var experiment = ExperimentFile.Load(file);
        // A stopped run with a snapshot (--stop-at-step/--resume) runs in one piece; every other run is chunked.
        // So does one with a population-rate or event monitor (not yet assembled from chunks).
        bool single = settings.StopAtStep is not null || settings.ResumeFrom is not null || experiment.RecordPopulationRate is not null
            || experiment.RecordEvents.Count > 0;
        if (single && (chunking.Shard is not null || chunking.ChunkSize is not null))
            throw new NotSupportedException("--stop-at-step and --resume run in one piece: they cannot be combined with --shard or --chunk-size");
        var output = ExperimentOutput.Open(outDir);
        using var progress = ConsoleProgress.Create(showProgress, stderr);
        var steps = progress is null ? null : new StepProgress(progress, experiment.N);
        ExperimentResult result;
        try
        {
            if (single)
            {
                output.WriteConditions(experiment);
                output.WriteReport(experiment, Path.GetFileNameWithoutExtension(file));
                result = ExperimentRunner.Run(experiment, settings, steps, cancellation);
            }
            else
            {
                result = ChunkedRunner.Run(experiment, settings, chunking, outDir, progress, cancellation);
                // A divergence ends the whole population's run at the first failing step of any neuron (as one run
                // does); the chunks cannot know that step, so the run is repeated in one piece up to it.
                if (result.Outcome == RunOutcome.Diverged && chunking.Shard is null)
                {
                    single = true;
                    result = ExperimentRunner.Run(experiment, settings, steps, cancellation);
                }
            }
        }
        catch (RunMismatchException e)
        {
            stderr.WriteLine($"neuronative: {output.Directory}: {e.Message}");
            return ExitUsageError;
        }
        finally
        {
            progress?.Dispose();
        }
        if (single)
        {
            ExplorationFiles.Write(output, ExplorationRunner.FromRun(result, Path.GetFileNameWithoutExtension(file)));
            output.WriteResults(result);
        }
        else if (result.Outcome is RunOutcome.Cancelled or RunOutcome.Diverged)
        {
            // The chunks done are kept (the run continues with the same command); nothing final is written.
            string what = result.Outcome == RunOutcome.Cancelled ? "cancelled" : $"diverged: {result.Error}";
            stderr.WriteLine($"neuronative: {what}; the chunks done are kept in {output.Directory} (run the same command to continue)");
            return result.Outcome == RunOutcome.Cancelled ? ExitCancelled : ExitRuntimeError;
        }
        foreach (var warning in experiment.Program.Warnings) stderr.WriteLine($"neuronative: warning: {warning}");
        if (result.BackendWarning is not null)
            stderr.WriteLine($"neuronative: warning: {result.BackendReason}: {result.BackendWarning}");

        string spikes = result.SpikeIndices is null ? "" : $", {result.SpikeIndices.LongLength} spikes";
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{result.Neurons.Count} neurons x {result.StepsDone} steps on {result.Backend} ({result.Threads} threads): " +
            $"{result.SimulationSeconds:F2} s, {result.NeuronStepsPerSecond:0.00e+00} neuron-steps/s{spikes}; results in {output.Directory}");
        switch (result.Outcome)
        {
            case RunOutcome.Cancelled:
                stderr.WriteLine($"neuronative: cancelled after {result.StepsDone} of {result.StepsRequested} steps; partial results written");
                stdout.WriteLine(summary);
                return ExitCancelled;
            case RunOutcome.Stopped:
                stderr.WriteLine($"neuronative: stopped at step {result.StepsDone} of {result.StepsRequested}; snapshot in " +
                    $"{settings.SnapshotPath} (continue with --resume {settings.SnapshotPath})");
                stdout.WriteLine(summary);
                return ExitOk;
            case RunOutcome.Diverged:
                stderr.WriteLine($"neuronative: the simulation diverged: {result.Error}");
                stderr.WriteLine($"neuronative: results up to step {result.StepsDone} written to {output.Directory}");
                return ExitRuntimeError;
            default:
                stdout.WriteLine(summary);
                return ExitOk;
        }
    }

    private static int RunExplorations(string file, string outDir, RunSettings settings, ChunkOptions chunking, TextWriter stdout,
        TextWriter stderr, CancellationToken cancellation, ProgressMode showProgress)
    {
        if (settings.StopAtStep is not null || settings.ResumeFrom is not null)
            throw new NotSupportedException("--stop-at-step and --resume are for Brian-model experiments; an exploration file is chunked and resumes by itself");
        var experiment = ExplorationFile.Load(file);
        Directory.CreateDirectory(outDir);
        SimulationResult result;
        using (var progress = ConsoleProgress.Create(showProgress, stderr))
        {
            try { result = experiment.RunToDirectory(outDir, settings, progress, cancellation, chunking); }
            catch (RunMismatchException e)
            {
                stderr.WriteLine($"neuronative: {outDir}: {e.Message}");
                return ExitUsageError;
            }
        }
        var names = experiment.Explorations.Count > 0 ? experiment.Explorations.Select(e => e.Name).ToList() : [SimulationExperiment.DefaultExploration];
        string current = names[Math.Max(0, result.Runs.Count - 1)];
        for (int k = 0; k < result.Explorations.Count; k++)
        {
            var (e, run) = (result.Explorations[k], result.Runs[k]);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.Name}: {e.Conditions} conditions x {run.StepsDone} steps on {run.Backend} ({run.Threads} threads): " +
                $"{run.SimulationSeconds:F2} s; {e} in {Path.Combine(Path.GetFullPath(outDir), e.Name)}"));
        }
        switch (result.Outcome)
        {
            case RunOutcome.Cancelled:
                stderr.WriteLine($"neuronative: cancelled during exploration '{current}'; the chunks done are kept in " +
                    $"{Path.Combine(Path.GetFullPath(outDir), current)} (run the same command to continue)");
                return ExitCancelled;
            case RunOutcome.Diverged:
                stderr.WriteLine($"neuronative: exploration '{current}' diverged: {result.Runs[^1].Error}");
                return ExitRuntimeError;
            default:
                return ExitOk;
        }
    }

    /// <summary>Turns every failure into a message and an exit code (no stack traces for users).</summary>
    private static int Guard(TextWriter stderr, string file, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ExperimentException or NotSupportedException)
        {
            stderr.WriteLine($"neuronative: {e.Message}");
            return ExitUsageError;
        }
        catch (ModelException e)
        {
            stderr.WriteLine($"neuronative: {file}: {e.Message}");
            return ExitUsageError;
        }
        catch (Brian2NotAvailableException e)
        {
            stderr.WriteLine($"neuronative: {e.Message}");
            return ExitReferenceMissing;
        }
        catch (Exception e) when (e is ExperimentOutputException or Brian2ScriptException or InvalidDataException)
        {
            stderr.WriteLine($"neuronative: {e.Message}");
            return ExitRuntimeError;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("neuronative: cancelled before the run started; nothing simulated");
            return ExitCancelled;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            stderr.WriteLine($"neuronative: the native core could not be used ({e.GetType().Name}): {e.Message}");
            return ExitRuntimeError;
        }
        catch (Exception e) when (e is NeuroNativeException or IOException or UnauthorizedAccessException
                                      or ArgumentException or InvalidOperationException or OutOfMemoryException)
        {
            stderr.WriteLine($"neuronative: {e.Message}");
            return ExitRuntimeError;
        }
        catch (Exception e)
        {
            // A bug of ours: still one line for the user, with what is needed to report it.
            stderr.WriteLine($"neuronative: internal error ({e.GetType().FullName}): {e.Message}");
            return ExitRuntimeError;
        }
    }
}
