// The SBI tutorial's toy case (examples/infer_hh.yaml).
//   HhSbi data INFER.yaml     writes the input step current and the observation simulated at g_Na = 32 uS, g_K = 1 uS
//                             to the files the inference file names (tests/data/inference/hh_sbi/)
//   HhSbi run INFER.yaml OUT [THREADS]   the whole inference (simulations, training, draws, SBC), timed per phase, and the
//                             acceptance checks: truth inside the central 95 %, mean within 10 %, SBC uniform
using System.Globalization;
using NeuroNative.Fitting;
using NeuroNative.Inference;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var truth = new Dictionary<string, double> { ["g_Na"] = 32e-6, ["g_K"] = 1e-6 };
const double Dt = 0.05e-3, Duration = 60e-3, StimStart = 10e-3, StimEnd = 50e-3, Amplitude = 0.4e-9;

switch (args)
{
    case ["data", var yaml]:
    {
        // The inference file's data paths: a step current, then the observation simulated from it.
        string dir = Path.GetDirectoryName(Path.GetFullPath(yaml))!;
        string Path1(string key) => Path.GetFullPath(Path.Combine(dir, File.ReadLines(yaml).First(l => l.TrimStart().StartsWith(key + ":"))
            .Split("file:")[1].Split(',')[0].Trim()));
        string inputPath = Path1("input"), outputPath = Path1("observation");
        int samples = (int)Math.Round(Duration / Dt);
        var current = Enumerable.Range(0, samples).Select(k => k * Dt >= StimStart && k * Dt < StimEnd ? Amplitude : 0.0).ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(inputPath)!);
        WriteRows(inputPath, current, 1);
        WriteRows(outputPath, new double[samples], 1);                  // a placeholder, so that the file can be read
        var job = InferFile.Load(yaml);
        using var sim = new BatchedTraceSimulator(job.Model, job.Input, new SimulationSettings { Dt = job.Dt, ParamInit = job.ParamInit });
        using var batch = sim.CreateBatch(1, new BatchRecording { Traces = ["v"] });
        var v = batch.Run([truth]).TracesOf("v")[0][0];
        // The file's measurement noise, from a stream of its own (the simulations' noise is keyed by the seed and θ).
        for (int k = 0; k < v.Length; k++) v[k] += job.NoiseStd * NeuroNative.Backends.Reference.Philox.Normal(0x0B5E7ED, 0, k, 0);
        WriteRows(outputPath, v, 1e3);                                    // the file's unit is mV
        Console.WriteLine($"wrote {inputPath} and {outputPath}: {samples} samples, v from {v.Min() * 1e3:F1} to {v.Max() * 1e3:F1} mV");
        return 0;
    }
    case ["run", var yaml, var outDir, ..]:
    {
        int threads = args.Length > 3 ? int.Parse(args[3]) : 2;
        var job = InferFile.Load(yaml);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var progress = new Progress<InferProgress>(e =>
        {
            if (e.Phase == "simulate" && e.Done == e.Total) Console.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s: simulated {e.Total}");
            else if (e.Phase == "train" && e.Done % 10 == 0) Console.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s: epoch {e.Done}");
        });
        var report = InferRunner.Run(job, new InferRunSettings { Threads = threads, TorchThreads = 1 }, progress);
        InferRunner.Write(report, outDir);
        var t = report.Timings;
        Console.WriteLine($"threads {threads} (LibTorch 1): simulation {t.Simulation:F2} s, training {t.Training:F2} s ({report.Training[^1].Epochs} epochs), " +
                          $"sampling {t.Sampling:F2} s, SBC {t.Sbc:F2} s, total {t.Total:F2} s");
        Console.WriteLine($"simulations + training: {t.Simulation + t.Training:F2} s (the tutorial's setup: {job.NSamples} simulations, " +
                          $"{job.Options.Method} with {job.Options.Estimator})");
        bool ok = true;
        var s = report.Samples;
        for (int j = 0; j < s.GetLength(1); j++)
        {
            string name = report.Posterior.ParameterNames[j];
            var col = Enumerable.Range(0, s.GetLength(0)).Select(i => s[i, j]).Order().ToArray();
            double lo = col[(int)(0.025 * col.Length)], hi = col[(int)(0.975 * col.Length) - 1], mean = col.Average();
            bool inside = truth[name] >= lo && truth[name] <= hi, close = Math.Abs(mean / truth[name] - 1) <= 0.1;
            ok &= inside && close;
            Console.WriteLine($"{name}: truth {truth[name]:G4}, mean {mean:G4} ({(mean / truth[name] - 1) * 100:+0.0;-0.0} %), " +
                              $"95 % [{lo:G4}, {hi:G4}] {(inside && close ? "ok" : "FAIL")}");
        }
        if (report.Sbc is { } sbc)
        {
            Console.WriteLine($"SBC ({sbc.Ranks.GetLength(0)} held-out simulations, {sbc.Bins} bins): p = {string.Join(", ", sbc.PValues.Select(p => p.ToString("G3")))} " +
                              $"{(sbc.Calibrated() ? "ok" : "FAIL")}");
            ok &= sbc.Calibrated();
        }
        report.Inferencer.Dispose();
        return ok ? 0 : 1;
    }
    default:
        Console.Error.WriteLine("usage: HhSbi data INFER.yaml | HhSbi run INFER.yaml OUT [THREADS]");
        return 2;
}

static void WriteRows(string path, double[] row, double scale)
{
    using var w = new StreamWriter(path);
    w.WriteLine("," + string.Join(",", Enumerable.Range(0, row.Length)));
    w.WriteLine("0," + string.Join(",", row.Select(v => (v * scale).ToString("R", CultureInfo.InvariantCulture))));
}
