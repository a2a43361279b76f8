using System.Diagnostics;
using System.Text;
using NeuroNative.Experiments;
using Xunit;

namespace NeuroNative.Tests.Experiments;

public class NpyTests
{
    /// <summary>What np.save writes for np.array([1, 2, 3], dtype='&lt;i8') (numpy 1.24): 128 header bytes.</summary>
    private static byte[] NumpyBytesOf123()
    {
        const string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
        var header = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 };
        header.AddRange(Encoding.ASCII.GetBytes(dict.PadRight(117) + "\n"));
        foreach (long v in new long[] { 1, 2, 3 }) header.AddRange(BitConverter.GetBytes(v));
        return [.. header];
    }

    private static byte[] Save(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return stream.ToArray();
    }

    [Fact]
    public void WritesTheBytesNumpyWrites()
    {
        var bytes = Save(s => Npy.Write(s, new long[] { 1, 2, 3 }));
        Assert.Equal(128 + 24, bytes.Length);
        Assert.Equal(NumpyBytesOf123(), bytes);
    }

    [Fact]
    public void HeaderReadsBack()
    {
        var values = new double[] { 1.5, -2, double.Epsilon, 1e300, 0, 7, 8, 9 };
        var bytes = Save(s => Npy.Write(s, values, 2, 4));
        var (descr, fortran, shape, offset) = Npy.ReadHeader(bytes);
        Assert.Equal("<f8", descr);
        Assert.False(fortran);
        Assert.Equal([2L, 4L], shape);
        Assert.Equal(0, offset % 64);
        Assert.Equal(values, Npy.ReadFloat64(bytes));
        Assert.Equal([5L, -6L], Npy.ReadInt64(Save(s => Npy.Write(s, new long[] { 5, -6 }))));

        var empty = Save(s => Npy.Write(s, ReadOnlySpan<long>.Empty));
        Assert.Equal([0L], Npy.ReadHeader(empty).Shape);
        Assert.Throws<ArgumentException>(() => Save(s => Npy.Write(s, new double[] { 1, 2, 3 }, 2, 2)));
    }

    /// <summary>Against numpy itself where Python and numpy are installed (skipped silently otherwise:
    /// the known-bytes test above covers the format).</summary>
    [Fact]
    public void MatchesNumpyWhereAvailable()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, "-c \"import numpy\"").Code != 0) return;
        string dir = Directory.CreateTempSubdirectory("nn-npy").FullName;
        try
        {
            string theirs = Path.Combine(dir, "theirs.npy"), ours = Path.Combine(dir, "ours.npy");
            Assert.Equal(0, Run(python, $"-c \"import numpy as np; np.save(r'{theirs}', np.array([1, 2, 3], dtype='<i8'))\"").Code);
            Assert.Equal(File.ReadAllBytes(theirs), Save(s => Npy.Write(s, new long[] { 1, 2, 3 })));

            var big = Enumerable.Range(0, 3 * 12345).Select(k => k * 0.25).ToArray();
            File.WriteAllBytes(ours, Save(s => Npy.Write(s, big, 3, 12345)));
            var (code, output) = Run(python, $"-c \"import numpy as np; a = np.load(r'{ours}'); " +
                $"b = np.arange(3*12345).reshape(3, 12345)*0.25; np.save(r'{theirs}', b); print(a.shape, a.dtype, bool((a == b).all()))\"");
            Assert.Equal(0, code);
            Assert.Equal("(3, 12345) float64 True", output.Trim());
            Assert.Equal(File.ReadAllBytes(theirs), File.ReadAllBytes(ours));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(2e-6, "1.9999999999999999e-06")]
    [InlineData(1.0204081632653061e-11, "1.0204081632653061e-11")]
    [InlineData(0.5, "0.5")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e17, "1e+17")]
    [InlineData(-0.0001, "-0.0001")]
    [InlineData(0.00001, "1.0000000000000001e-05")]
    [InlineData(double.PositiveInfinity, "inf")]
    public void NumbersAreWrittenLikePercent17g(double value, string expected) =>
        Assert.Equal(expected, ExperimentOutput.G17(value));

    internal static (int Code, string Output) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        string output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
