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
    private const string Experiment = """
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

    private static string[] DataFiles(string dir) =>
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

    private sealed class Progress(Action<long> report) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value) => report(value.Done);
    }

    [Fact]
    public void KilledOrTerminatedAtAnyMomentTheSameCommandFinishesTheRun()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment.Replace("duration: 200*ms", "duration: 1*second"));
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("one")).Code);
        // 20 interruptions at random moments (start-up, mid-chunk, mid-write, assembly): 16 SIGKILL, 4 SIGTERM.
        var random = new Random(11);
        for (int attempt = 0; attempt < 20; attempt++)
        {
            using var process = StartCli("run", file, "--out", h.Path("killed"), "--chunk-size", "50", "--threads", "1");
            Thread.Sleep(random.Next(150, 1400));
            if (!process.HasExited)
            {
                if (attempt % 5 == 4) Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
                else process.Kill(entireProcessTree: true);
            }
            process.WaitForExit();
            if (attempt % 5 == 4 && process.ExitCode is not (0 or CliApp.ExitCancelled or 137 or 143))
                Assert.Fail($"SIGTERM ended the run with exit code {process.ExitCode}");
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

        using var process = StartCli(new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["FAKE_SBATCH_LOG"] = h.Path("sbatch.log"),
        }, "slurm", file, "--out", h.Path("cluster"), "--shards", "3", "--time", "00:10:00");
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr);
        Assert.Contains("submitted: array job 101, merge job 102", stdout);
        Assert.Contains("--dependency=afterok:101", File.ReadAllText(h.Path("sbatch.log")));
        Assert.Contains("#SBATCH --array=0-2", File.ReadAllText(h.Path("cluster/slurm/array.sbatch")));
        AssertSameFiles(h.Path("one"), h.Path("cluster/merged"));
    }

    private static Process StartCli(params string[] args) => StartCli(new Dictionary<string, string>(), args);

    private static Process StartCli(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in environment) info.Environment[k] = v;
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
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
}
