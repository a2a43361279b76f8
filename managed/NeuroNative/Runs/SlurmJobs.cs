using System.Globalization;
using System.Text;
using NeuroNative.Experiments;

namespace NeuroNative.Runs;

/// <summary>What <c>neuronative slurm</c> submits: N shards as one job array, then the merge.</summary>
public sealed record SlurmOptions
{
    public required int Shards { get; init; }
    public string? Partition { get; init; }
    /// <summary>Slurm's --time of each array task (e.g. 02:00:00).</summary>
    public string? Time { get; init; }
    /// <summary>CPUs per task, also the run's --threads.</summary>
    public int Cpus { get; init; } = 1;
    /// <summary>Each task's --chunk-size (null: the run's default).</summary>
    public int? ChunkSize { get; init; }
    /// <summary>More sbatch options, each written as an <c>#SBATCH</c> line of both scripts.</summary>
    public IReadOnlyList<string> SbatchArgs { get; init; } = [];
    /// <summary>Write the scripts without submitting them.</summary>
    public bool DryRun { get; init; }
}

/// <summary>What the array's tasks run: shards of an experiment then <c>merge</c>, or shards of an inference file's
/// round-1 simulations then <c>infer --simulations</c> training on all of them (docs/inference.md, "Scale").</summary>
public enum SlurmWork { Experiment, Inference }

/// <summary>The scripts written (and the job ids when submitted).</summary>
public sealed record SlurmSubmission(string ArrayScript, string MergeScript, string? ArrayJob, string? MergeJob);

/// <summary>The scheduler could not be used: sbatch is missing or refused a script (its own message included).</summary>
public sealed class SlurmException(string message) : Exception(message);

/// <summary>
/// Runs an experiment on a Slurm cluster as HPC centres run jobs (docs/long-runs.md): an <c>sbatch --array=0-(N-1)</c>
/// script whose task K runs shard K/N into <c>DIR/shard_K</c> (requeued tasks resume from their chunks), and a
/// merge job that waits for the whole array (<c>--dependency=afterok</c>) and assembles <c>DIR/merged</c> (for an
/// inference file: trains on every shard's simulations into <c>DIR/merged</c>).
/// </summary>
public static class SlurmJobs
{
    /// <param name="work">Inference files are checked by the caller (the inference assembly reads them).</param>
    public static SlurmSubmission Submit(string experimentFile, string directory, SlurmOptions options, string[] neuronative,
                                         SlurmWork work = SlurmWork.Experiment)
    {
        if (options.Shards < 1) throw new ArgumentException($"--shards must be 1 or more, not {options.Shards}");
        if (options.Cpus < 1) throw new ArgumentException($"--cpus must be 1 or more, not {options.Cpus}");
        if (options.ChunkSize < 1) throw new ArgumentException($"--chunk-size must be 1 or more, not {options.ChunkSize}");
        if (work == SlurmWork.Experiment) ExperimentFile.Load(experimentFile); // a mistake in the file is reported here, not by N failed tasks
        string dir = Path.GetFullPath(directory), file = Path.GetFullPath(experimentFile);
        string scripts = Path.Combine(dir, "slurm");
        Directory.CreateDirectory(scripts);
        string name = Path.GetFileNameWithoutExtension(file);
        string command = string.Join(' ', neuronative.Select(Quote));

        var array = Header($"nn-{name}", options, Path.Combine(scripts, "shard_%a.log"));
        array.Append(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{options.Shards - 1}\n#SBATCH --requeue\n\n");
        array.Append("# Each task is one shard; a requeued or restarted task continues from the chunks it has done.\n");
        array.Append(CultureInfo.InvariantCulture,
            $"exec {command} {(work == SlurmWork.Experiment ? "run" : "infer")} {Quote(file)} --out {Quote(dir)}/shard_$SLURM_ARRAY_TASK_ID --shard $SLURM_ARRAY_TASK_ID/{options.Shards} --threads {options.Cpus}");
        if (options.ChunkSize is { } size) array.Append(CultureInfo.InvariantCulture, $" --chunk-size {size}");
        array.Append('\n');
        // Merging files needs one CPU; training on the shards' simulations gets the tasks' CPUs.
        var merge = Header($"nn-{name}-merge", work == SlurmWork.Experiment ? options with { Cpus = 1 } : options, Path.Combine(scripts, "merge.log"));
        // A failed task (killed, time limit) leaves afterok unmet for good, even once it is requeued and succeeds:
        // without this the merge would stay pending forever.
        merge.Append("#SBATCH --kill-on-invalid-dep=yes\n\n");
        merge.Append("# Runs once every task has succeeded; Slurm cancels it when a task fails: submit again to continue.\n");
        merge.Append(work == SlurmWork.Experiment ? $"exec {command} merge"
            : $"exec {command} infer {Quote(file)} --threads {options.Cpus}{(options.ChunkSize is { } chunk ? $" --chunk-size {chunk}" : "")} --simulations");
        for (int k = 0; k < options.Shards; k++) merge.Append(' ').Append(Quote(Path.Combine(dir, $"shard_{k}")));
        merge.Append(" --out ").Append(Quote(Path.Combine(dir, "merged"))).Append('\n');

        string arrayPath = Path.Combine(scripts, "array.sbatch"), mergePath = Path.Combine(scripts, "merge.sbatch");
        File.WriteAllText(arrayPath, array.ToString());
        File.WriteAllText(mergePath, merge.ToString());
        if (options.DryRun) return new SlurmSubmission(arrayPath, mergePath, null, null);
        string arrayJob = Sbatch(["--parsable", arrayPath]);
        string mergeJob = Sbatch(["--parsable", $"--dependency=afterok:{arrayJob}", mergePath]);
        return new SlurmSubmission(arrayPath, mergePath, arrayJob, mergeJob);
    }

    private static StringBuilder Header(string job, SlurmOptions o, string log)
    {
        var sb = new StringBuilder("#!/bin/bash\n# Written by neuronative slurm; submit with sbatch.\n");
        sb.Append("#SBATCH --job-name=").Append(job).Append('\n');
        sb.Append("#SBATCH --output=").Append(log).Append('\n');
        // Slurm truncates the log when a requeued job starts again; appending keeps the earlier attempts' lines.
        sb.Append("#SBATCH --open-mode=append\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={o.Cpus}\n");
        if (o.Partition is { } p) sb.Append("#SBATCH --partition=").Append(p).Append('\n');
        if (o.Time is { } t) sb.Append("#SBATCH --time=").Append(t).Append('\n');
        foreach (string a in o.SbatchArgs) sb.Append("#SBATCH ").Append(a).Append('\n');
        return sb;
    }

    /// <summary>Runs sbatch and returns the job id it prints (<c>--parsable</c>: "id" or "id;cluster").</summary>
    private static string Sbatch(string[] args)
    {
        (int code, string output) result;
        try { result = ChildProcess.Run("sbatch", args); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SlurmException($"sbatch could not be started ({e.Message}): is Slurm installed here? " +
                "--dry-run writes the scripts without submitting them");
        }
        if (result.code != 0) throw new SlurmException($"sbatch {string.Join(' ', args)} failed (exit {result.code}): {result.output.Trim()}");
        string id = result.output.Trim().Split('\n')[^1].Split(';')[0].Trim();
        return id.Length > 0 && id.All(char.IsAsciiDigit) ? id
            : throw new SlurmException($"sbatch {string.Join(' ', args)} printed no job id: '{result.output.Trim()}'");
    }

    /// <summary>A word for bash: as is when it needs no quoting, else in single quotes.</summary>
    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
