using System.Diagnostics;
using System.Text.Json;
using NeuroNative.Cli;
using NeuroNative.Experiments;
using NeuroNative.Runs;
using NeuroNative.Tests.Cli;
using Xunit;

namespace NeuroNative.Tests.Runs;

/// <summary>Chunked runs: any chunk size, an interruption at any moment (cancel, kill -9) and shards merged give the
/// files of a run in one piece, byte for byte; a directory of another experiment is refused.</summary>
public class ChunkedRunTests
{
    // Noise, random initial values, a sweep, spikes and traces of some neurons: everything that depends on the neuron.
    internal const string Experiment = """
        model:
          equations: |
            dv/dt = (El - v + R*I)/tau + 2*mV*xi/sqrt(tau) : volt (unless refractory)
            I : amp (constant)
          namespace: {El: -70*mV, R: 100*Mohm, tau: 10*ms}
          threshold: v > -50*mV
          reset: v = -70*mV
          refractory: 2*ms
          method: euler
          initial: {v: El + 5*mV*rand()}
        dt: 0.1*ms
        duration: 200*ms
        seed: 3
        sweep:
          parameters:
            I: {lo: 0*nA, hi: 0.5*nA, n: 700}
        record:
          spikes: true
          state: {variables: [v], every: 1*ms, neurons: [0, 5, 333, 699]}
          final: [v]

        """;

    internal static string[] DataFiles(string dir) =>
        [.. Directory.GetFiles(dir).Select(Path.GetFileName).Where(f => f != "run.json").Order()!];

    private static void AssertSameFiles(string expected, string actual)
    {
        var files = DataFiles(expected);
        Assert.Contains("spikes_index.npy", files);
        Assert.Contains("state_v.npy", files);
        Assert.Equal(files, DataFiles(actual));
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), $"{f} differs");
    }

    [Fact]
    public void AnyChunkSizeGivesTheFilesOfOnePiece()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment);
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one"), "--chunk-size", "700").Code);
        foreach (string size in new[] { "1", "64", "333" })
        {
            var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path(size), "--chunk-size", size, "--threads", "1");
            Assert.True(code == 0, err);
            AssertSameFiles(h.Path("one"), h.Path(size));
        }
        using var run = JsonDocument.Parse(File.ReadAllText(h.Path("64/run.json")));
        Assert.Equal(11, run.RootElement.GetProperty("chunks").GetProperty("count").GetInt32());
    }

    // The values of variables at each spike and the state's final sample (record_single_timestep): chunks of any size and
    // merged shards write the files of a run in one piece (run by the CLI as such: stopped at a step past its end).
    [Fact]
    public void SpikeValuesAndTheFinalSampleAreAssembledAsOnePiece()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment.Replace("spikes: true", "spikes: {variables: [v, I], when: after_resets}")
            .Replace("neurons: [0, 5, 333, 699]}", "neurons: [0, 5, 333, 699], record_single_timestep: true}"));
        var single = CliHarness.Invoke("run", file, "--out", h.Path("one"), "--stop-at-step", "100000", "--snapshot", h.Path("snap.bin"));
        Assert.True(single.Code == 0, single.Err);
        Assert.Equal(Npy.ReadInt64(File.ReadAllBytes(h.Path("one/spikes_index.npy"))).Length,
            Npy.ReadFloat64(File.ReadAllBytes(h.Path("one/spikes_I.npy"))).Length);
        Assert.Equal(201, Npy.ReadFloat64(File.ReadAllBytes(h.Path("one/state_time.npy"))).Length);
        foreach (string size in new[] { "1", "97" })
        {
            var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path(size), "--chunk-size", size, "--threads", "1");
            Assert.True(code == 0, err);
            AssertSameFiles(h.Path("one"), h.Path(size));
        }
        for (int k = 0; k < 3; k++)
        {
            var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path($"s{k}"), "--shard", $"{k}/3", "--chunk-size", "100");
            Assert.True(code == 0, err);
        }
        var merged = CliHarness.Invoke("merge", h.Path("s0"), h.Path("s1"), h.Path("s2"), "--out", h.Path("merged"));
        Assert.True(merged.Code == 0, merged.Err);
        AssertSameFiles(h.Path("one"), h.Path("merged"));
    }

    // A chunk file of an older format is recomputed, not read.
    [Fact]
    public void AChunkOfAnOlderFormatIsRecomputed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nn-chunk-{Environment.ProcessId}.bin");
        try
        {
            var data = new ChunkData(0, 1, 10, [0], [1], [0], [0.5e-3], [], null, [], [], []);
            string sha = data.Write(path);
            Assert.True(ChunkData.IsValid(path, sha));
            var bytes = File.ReadAllBytes(path);
            bytes[6] = (byte)'1'; // "NNCHNK2" -> "NNCHNK1", the magic of the format before the values at spikes
            File.WriteAllBytes(path, bytes);
            Assert.False(ChunkData.IsValid(path, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ACancelledRunContinuesAndACorruptChunkIsRecomputed()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment);
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);
        // Cancel once the third chunk is under way.
        using var cancel = new CancellationTokenSource();
        var progress = new Progress(done => { if (done > 2 * 100 * 2000) cancel.Cancel(); });
        var experiment = NeuroNative.Experiments.ExperimentFile.Load(file);
        var stopped = NeuroNative.Runs.ChunkedRunner.Run(experiment, new(), new() { ChunkSize = 100 }, h.Path("cut"), progress, cancel.Token);
        Assert.Equal(NeuroNative.Experiments.RunOutcome.Cancelled, stopped.Outcome);
        Assert.False(File.Exists(h.Path("cut/run.json")));
        // Damage a finished chunk: it must be recomputed, not used.
        string chunk = Directory.GetFiles(h.Path("cut/.neuronative/chunks")).Order().First();
        var bytes = File.ReadAllBytes(chunk);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(chunk, bytes);
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path("cut"));
        Assert.True(code == 0, err);
        AssertSameFiles(h.Path("one"), h.Path("cut"));
        using var run = JsonDocument.Parse(File.ReadAllText(h.Path("cut/run.json")));
        Assert.InRange(run.RootElement.GetProperty("resumed").GetProperty("chunks").GetInt32(), 1, 2); // the damaged one is not counted
    }

    [Fact]
    public void AKilledChunkContinuesFromItsLastSnapshot()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment.Replace("duration: 200*ms", "duration: 3*second"));
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);
        // One chunk, snapshots every 0.1 s: kill -9 once the first snapshot is there.
        string[] args = ["run", file, "--out", h.Path("killed"), "--chunk-size", "700", "--threads", "1", "--snapshot-every", "0.1"];
        using (var process = CliHarness.Start(args))
        {
            string snapshot = NeuroNative.Runs.ChunkData.SnapshotPathOf(h.Path("killed"), 0);
            var wait = Stopwatch.StartNew();
            while (!File.Exists(snapshot) && !process.HasExited && wait.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(10);
            Assert.False(process.HasExited, "the run ended before it wrote a snapshot");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.Contains("snapshot at step", NeuroNative.Runs.RunCatalog.Status(h.Path("killed")));
        var (code, _, err) = CliHarness.Invoke([.. args]);
        Assert.True(code == 0, err);
        AssertSameFiles(h.Path("one"), h.Path("killed"));
        using var run = JsonDocument.Parse(File.ReadAllText(h.Path("killed/run.json")));
        var resumed = run.RootElement.GetProperty("resumed");
        Assert.Equal(0, resumed.GetProperty("chunks").GetInt32());
        Assert.InRange(resumed.GetProperty("neuron_steps").GetInt64(), 700, 700L * 29_999);
        Assert.False(File.Exists(NeuroNative.Runs.ChunkData.SnapshotPathOf(h.Path("killed"), 0)));
    }

    /// <summary>A full disk when a chunk is written (its temporary file is /dev/full): an error naming the file (the CLI
    /// exits 1 with it), the chunks before it done, it and the rest pending; then the same command finishes the run.</summary>
    [SkippableFact]
    public void AFullDiskKeepsTheCatalogConsistentAndTheRunContinues()
    {
        Skip.IfNot(File.Exists("/dev/full"), "needs /dev/full (Linux)");
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment);
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);
        string full = NeuroNative.Runs.ChunkData.PathOf(h.Path("cut"), 2);
        string link = $"{full}.{Environment.ProcessId}.tmp";
        // The disk fills up once two chunks are written.
        var progress = new Progress(_ => { }, p => { if (p.ChunksDone == 2 && !File.Exists(link)) File.CreateSymbolicLink(link, "/dev/full"); });
        var experiment = NeuroNative.Experiments.ExperimentFile.Load(file);
        var e = Assert.Throws<NeuroNative.Experiments.ExperimentOutputException>(() =>
            NeuroNative.Runs.ChunkedRunner.Run(experiment, new(), new() { ChunkSize = 100 }, h.Path("cut"), progress));
        Assert.StartsWith($"cannot write {full}: No space left on device", e.Message);
        using (var catalog = NeuroNative.Runs.RunCatalog.Open(h.Path("cut")))
        {
            var states = catalog.Chunks().Select(c => c.State).ToList();
            Assert.Equal([NeuroNative.Runs.ChunkState.Done, NeuroNative.Runs.ChunkState.Done], states.Take(2));
            Assert.All(states.Skip(2), s => Assert.Equal(NeuroNative.Runs.ChunkState.Pending, s));
        }
        Assert.False(File.Exists(full));
        File.Delete(link);
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path("cut"), "--chunk-size", "100");
        Assert.True(code == 0, err);
        AssertSameFiles(h.Path("one"), h.Path("cut"));
    }

    [Fact]
    public void ADamagedCatalogIsReportedAndRestartStartsOver()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment);
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);
        Directory.CreateDirectory(h.Path("bad/.neuronative"));
        File.WriteAllText(NeuroNative.Runs.RunCatalog.PathIn(h.Path("bad")), "not a database, written over by accident");
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path("bad"));
        Assert.Equal(CliApp.ExitRuntimeError, code);
        Assert.Contains($"{NeuroNative.Runs.RunCatalog.PathIn(h.Path("bad"))}: not a readable run catalog", err);
        Assert.Contains("--restart", err);
        (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path("bad"), "--restart");
        Assert.True(code == 0, err);
        AssertSameFiles(h.Path("one"), h.Path("bad"));
    }

    [Fact]
    public void ACancelledChunkKeepsTheStepItReached()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment.Replace("duration: 200*ms", "duration: 2*second"));
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);
        // Cancelled part-way through the first chunk (progress comes every few hundred steps).
        using var cancel = new CancellationTokenSource();
        var progress = new Progress(done => { if (done > 300 * 12_340) cancel.Cancel(); });
        var experiment = NeuroNative.Experiments.ExperimentFile.Load(file);
        var options = new NeuroNative.Runs.ChunkOptions { ChunkSize = 300, SnapshotInterval = TimeSpan.FromHours(1) };
        var stopped = NeuroNative.Runs.ChunkedRunner.Run(experiment, new() { Threads = 1 }, options, h.Path("cut"), progress, cancel.Token);
        Assert.Equal(NeuroNative.Experiments.RunOutcome.Cancelled, stopped.Outcome);
        Assert.InRange(stopped.StepsDone, 12_341, 19_999);
        var continued = NeuroNative.Runs.ChunkedRunner.Run(experiment, new() { Threads = 1 }, options, h.Path("cut"));
        Assert.Equal(stopped.StepsDone * 300, continued.Chunks!.StepsBefore);
        AssertSameFiles(h.Path("one"), h.Path("cut"));
    }

    private sealed class Progress(Action<long> report, Action<NeuroNative.Runs.RunProgress>? whole = null) : IProgress<NeuroNative.Runs.RunProgress>
    {
        public void Report(NeuroNative.Runs.RunProgress value)
        {
            report(value.NeuronStepsDone);
            whole?.Invoke(value);
        }
    }

    [Fact]
    public void KilledOrTerminatedAtAnyMomentTheSameCommandFinishesTheRun()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment.Replace("duration: 200*ms", "duration: 1*second"));
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);
        // 24 interruptions at random moments (start-up, mid-chunk, mid-snapshot, mid-write, assembly): 16 SIGKILL,
        // 4 SIGTERM (Slurm's) and 4 SIGINT (Ctrl-C); the signals end the run at a step boundary, keeping what is done.
        var random = new Random(11);
        for (int attempt = 0; attempt < 24; attempt++)
        {
            string? signal = (attempt % 6) switch { 2 => "-TERM", 5 => "-INT", _ => null };
            using var process = CliHarness.Start("run", file, "--out", h.Path("killed"), "--chunk-size", "50", "--threads", "1", "--snapshot-every", "0.05");
            Thread.Sleep(random.Next(150, 1400));
            if (!process.HasExited)
            {
                if (signal is not null) Process.Start("kill", [signal, process.Id.ToString()])!.WaitForExit();
                else process.Kill(entireProcessTree: true);
            }
            process.WaitForExit();
            // 143 (128 + SIGTERM): the signal came before the runtime had installed its handler, during start-up.
            if (signal is not null && process.ExitCode is not (0 or CliApp.ExitCancelled or 143))
                Assert.Fail($"{signal} ended the run with exit code {process.ExitCode}: {process.StandardError.ReadToEnd()}");
        }
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path("killed"), "--chunk-size", "50");
        Assert.True(code == 0, err);
        AssertSameFiles(h.Path("one"), h.Path("killed"));
    }

    [Fact]
    public void TheSlurmScriptsRunTheShardsAndTheMergeIntoTheFilesOfOneRun()
    {
        // A stand-in for sbatch that runs what it is given at once: every task of an array (with its
        // SLURM_ARRAY_TASK_ID), or the script, and prints a job id as --parsable does.
        using var h = new CliHarness();
        string bin = h.Path("bin");
        Directory.CreateDirectory(bin);
        string sbatch = Path.Combine(bin, "sbatch");
        File.WriteAllText(sbatch, """
            #!/bin/bash
            script="${@: -1}"
            echo "$@" >> "$FAKE_SBATCH_LOG"
            last=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' "$script")
            if [ -n "$last" ]; then
              for k in $(seq 0 "$last"); do SLURM_ARRAY_TASK_ID=$k bash "$script" >/dev/null 2>&1 || exit 1; done
              echo 101
            else
              bash "$script" >/dev/null 2>&1 || exit 1
              echo 102
            fi
            """);
        File.SetUnixFileMode(sbatch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string file = h.Write("e.yaml", Experiment);
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);

        using var process = CliHarness.Start(new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["FAKE_SBATCH_LOG"] = h.Path("sbatch.log"),
        }, "slurm", file, "--out", h.Path("cluster"), "--shards", "3", "--time", "00:10:00", "--chunk-size", "100");
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr);
        Assert.Contains("submitted: array job 101, merge job 102", stdout);
        Assert.Contains("--dependency=afterok:101", File.ReadAllText(h.Path("sbatch.log")));
        string array = File.ReadAllText(h.Path("cluster/slurm/array.sbatch"));
        Assert.Contains("#SBATCH --array=0-2", array);
        Assert.Contains("#SBATCH --open-mode=append", array);
        Assert.Contains("--shard $SLURM_ARRAY_TASK_ID/3 --threads 1 --chunk-size 100", array);
        Assert.Contains("#SBATCH --kill-on-invalid-dep=yes", File.ReadAllText(h.Path("cluster/slurm/merge.sbatch")));
        AssertSameFiles(h.Path("one"), h.Path("cluster/merged"));
        using var shard = JsonDocument.Parse(File.ReadAllText(h.Path("cluster/shard_0/run.json")));
        Assert.Equal(3, shard.RootElement.GetProperty("chunks").GetProperty("count").GetInt32()); // 234 conditions in chunks of 100
    }

    [Fact]
    public void ShardsMergeIntoTheFilesOfOneRun()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment);
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);
        for (int k = 0; k < 3; k++)
        {
            var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path($"s{k}"), "--shard", $"{k}/3", "--chunk-size", "100");
            Assert.True(code == 0, err);
        }
        var missing = CliHarness.Invoke("merge", h.Path("s0"), h.Path("s2"), "--out", h.Path("merged"));
        Assert.Equal(CliApp.ExitUsageError, missing.Code);
        Assert.Contains("shards 1/3 are missing", missing.Err);
        var merged = CliHarness.Invoke("merge", h.Path("s0"), h.Path("s1"), h.Path("s2"), "--out", h.Path("merged"));
        Assert.True(merged.Code == 0, merged.Err);
        AssertSameFiles(h.Path("one"), h.Path("merged"));

        string other = h.Write("other.yaml", Experiment.Replace("seed: 3", "seed: 4"));
        Assert.Equal(0, CliHarness.Invoke("run", other, "--out", h.Path("o1"), "--shard", "1/3").Code);
        var mixed = CliHarness.Invoke("merge", h.Path("s0"), h.Path("o1"), h.Path("s2"), "--out", h.Path("mixed"));
        Assert.Equal(CliApp.ExitUsageError, mixed.Code);
        Assert.Contains("holds another experiment", mixed.Err);
        Assert.Contains($"seed: '3' in {h.Path("s0")}, '4' in {h.Path("o1")}", mixed.Err);
        var bad = CliHarness.Invoke("run", file, "--out", h.Path("x"), "--shard", "3/3");
        Assert.Equal(CliApp.ExitUsageError, bad.Code);
        Assert.Contains("--shard 3/3: K must be 0 to 2", bad.Err);
    }

    [Fact]
    public void ADirectoryOfAnotherExperimentIsRefusedUntilRestart()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment), other = h.Write("o.yaml", Experiment.Replace("n: 700", "n: 600").Replace("333, 699", "333, 599"));
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("d")).Code);
        var refused = CliHarness.Invoke("run", other, "--out", h.Path("d"));
        Assert.Equal(CliApp.ExitUsageError, refused.Code);
        Assert.Contains("the directory holds a run of another experiment", refused.Err);
        Assert.Contains("conditions: '700' in the directory, '600' in this experiment", refused.Err);
        Assert.Contains("--restart", refused.Err);
        Assert.Equal(0, CliHarness.Invoke("run", other, "--out", h.Path("d"), "--restart").Code);
    }

    [Fact]
    public void WhereTheStateMonitorSamplesIsPartOfTheExperiment()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment),
            moved = h.Write("m.yaml", Experiment.Replace("neurons: [0, 5, 333, 699]}", "neurons: [0, 5, 333, 699], when: end, order: 2}"));
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("d"), "--chunk-size", "100").Code);
        var refused = CliHarness.Invoke("run", moved, "--out", h.Path("d"), "--chunk-size", "100");
        Assert.Equal(CliApp.ExitUsageError, refused.Code);
        Assert.Contains("record.state: '[v] every 10 of 4 values sha256:", refused.Err);
        Assert.Contains(" at start 0' in the directory", refused.Err);
        Assert.Contains(" at end 2' in this experiment", refused.Err);
    }
}
