using System.Diagnostics;
using NeuroNative.Cli;
using NeuroNative.Experiments;

namespace NeuroNative.Inference.Tests;

/// <summary>A saved posterior reloaded in another process (<c>neuronative sample</c>) gives the draws of the process
/// that trained it, for the same seed and LibTorch thread count.</summary>
public class ReloadTests
{
    [Theory]
    [InlineData(InferenceMethod.SNPE, EstimatorKind.Maf)]
    [InlineData(InferenceMethod.SNLE, EstimatorKind.Mdn)]
    public void AnotherProcessDrawsTheSameSamples(InferenceMethod method, EstimatorKind kind)
    {
        TorchRuntime.EnsureLoaded(2);
        var inference = new NeuralInference(method, kind, GaussianToy.Prior(), 3, GaussianToy.Small, GaussianToy.Quick with { MaxEpochs = 10 });
        var (theta, x) = GaussianToy.Simulate(GaussianToy.PriorDraws(400, 1), 2);
        inference.AppendSimulations(theta, x);
        inference.Train();
        var posterior = inference.BuildPosterior(GaussianToy.Observation, new McmcOptions { WarmupSteps = 20 });
        var dir = Directory.CreateTempSubdirectory("nn-reload").FullName;
        try
        {
            string path = Path.Combine(dir, "posterior.nnpost"), samples = Path.Combine(dir, "draws.npy");
            posterior.Save(path);
            var expected = posterior.Sample(300, seed: 4);

            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["DOTNET_EnableDiagnostics"] = "0";
            foreach (var a in new[] { "exec", typeof(CliApp).Assembly.Location, "sample", path, "--n", "300", "--seed", "4",
                                      "--out", samples, "--torch-threads", "2" })
                info.ArgumentList.Add(a);
            using var child = Process.Start(info)!;
            string stdout = child.StandardOutput.ReadToEnd(), stderr = child.StandardError.ReadToEnd();
            child.WaitForExit();
            Assert.True(child.ExitCode == 0, stderr);
            Assert.Contains("a: mean", stdout);

            var bytes = File.ReadAllBytes(samples);
            Assert.Equal(new long[] { 300, 2 }, Npy.ReadHeader(bytes).Shape);
            var flat = Npy.ReadFloat64(bytes);
            var actual = new double[300, 2];
            Buffer.BlockCopy(flat, 0, actual, 0, flat.Length * sizeof(double));
            Assert.Equal(expected, actual);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void SampleNamesAFileThatIsNotAPosterior()
    {
        var dir = Directory.CreateTempSubdirectory("nn-reload").FullName;
        try
        {
            string path = Path.Combine(dir, "broken.nnpost");
            File.WriteAllText(path, "not a posterior");
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            int code = CliApp.Run(["sample", path, "--out", Path.Combine(dir, "s.npy")], stdout, stderr, CancellationToken.None);
            Assert.Equal(CliApp.ExitUsageError, code);
            Assert.Contains($"{path}", stderr.ToString());
            Assert.Contains("not a NeuroNative posterior", stderr.ToString());
            Assert.False(File.Exists(Path.Combine(dir, "s.npy")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
