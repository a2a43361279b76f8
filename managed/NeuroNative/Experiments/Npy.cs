using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuroNative.Experiments;

/// <summary>
/// NumPy's .npy format, version 1.0, C order, little-endian int64 ('&lt;i8') and float64 ('&lt;f8'):
/// the bytes <c>np.save</c> writes, so <c>np.load</c> reads the files directly.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>Magic (6), version (2), header length (2).</summary>
    private const int PreambleLength = 10;

    /// <summary>numpy leaves room after the dict for the first axis to grow to this many digits in place.</summary>
    private const int GrowthAxisMaxDigits = 21;

    public static void Write(Stream stream, ReadOnlySpan<long> data, params long[] shape) =>
        Write(stream, "<i8", MemoryMarshal.AsBytes(data), data.Length, sizeof(long), shape);

    public static void Write(Stream stream, ReadOnlySpan<double> data, params long[] shape) =>
        Write(stream, "<f8", MemoryMarshal.AsBytes(data), data.Length, sizeof(double), shape);

    /// <summary>The header numpy writes: magic, version 1.0, length, the dict padded with spaces and a
    /// newline so that the data starts at a multiple of 64 bytes.</summary>
    public static byte[] Header(string descr, IReadOnlyList<long> shape)
    {
        string shapeText = shape.Count switch
        {
            0 => "()",
            1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
            _ => "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var dict = new StringBuilder($"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}");
        if (shape.Count > 0) dict.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        int unpadded = PreambleLength + dict.Length + 1;
        dict.Append(' ', (64 - unpadded % 64) % 64).Append('\n');
        if (dict.Length > ushort.MaxValue) throw new ArgumentException("the .npy header is too long for format version 1.0");
        var header = new byte[PreambleLength + dict.Length];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)dict.Length);
        Encoding.ASCII.GetBytes(dict.ToString(), header.AsSpan(PreambleLength));
        return header;
    }

    private static void Write(Stream stream, string descr, ReadOnlySpan<byte> bytes, int count, int itemSize, long[] shape)
    {
        if (shape.Length == 0) shape = [count];
        long expected = shape.Aggregate(1L, (a, b) => a * b);
        if (expected != count)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {expected} values, not {count}");
        stream.Write(Header(descr, shape));
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(bytes);
            return;
        }
        var item = new byte[itemSize];
        for (int k = 0; k < count; k++)
        {
            bytes.Slice(k * itemSize, itemSize).CopyTo(item);
            Array.Reverse(item);
            stream.Write(item);
        }
    }

    /// <summary>The descr and shape of a .npy file and where its data starts (for checking files).</summary>
    public static (string Descr, bool FortranOrder, long[] Shape, int DataOffset) ReadHeader(ReadOnlySpan<byte> file)
    {
        if (file.Length < PreambleLength || !file[..6].SequenceEqual(Magic.AsSpan(0, 6)))
            throw new FormatException("not a .npy file (no \\x93NUMPY magic)");
        if (file[6] != 1 || file[7] != 0) throw new FormatException($"unsupported .npy version {file[6]}.{file[7]}");
        int length = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
        if (file.Length < PreambleLength + length) throw new FormatException(".npy header is truncated");
        string header = Encoding.ASCII.GetString(file.Slice(PreambleLength, length));
        string descr = Between(header, "'descr': '", "'");
        bool fortran = Between(header, "'fortran_order': ", ",").Trim() == "True";
        string shape = Between(header, "'shape': (", ")");
        var dims = shape.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        return (descr, fortran, dims, PreambleLength + length);
    }

    public static long[] ReadInt64(byte[] file)
    {
        var (descr, _, _, offset) = ReadHeader(file);
        if (descr != "<i8") throw new FormatException($"expected '<i8' data, found '{descr}'");
        var values = new long[(file.Length - offset) / sizeof(long)];
        for (int k = 0; k < values.Length; k++)
            values[k] = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(offset + k * sizeof(long)));
        return values;
    }

    public static double[] ReadFloat64(byte[] file)
    {
        var (descr, _, _, offset) = ReadHeader(file);
        if (descr != "<f8") throw new FormatException($"expected '<f8' data, found '{descr}'");
        var values = new double[(file.Length - offset) / sizeof(double)];
        for (int k = 0; k < values.Length; k++)
            values[k] = BinaryPrimitives.ReadDoubleLittleEndian(file.AsSpan(offset + k * sizeof(double)));
        return values;
    }

    private static string Between(string text, string start, string end)
    {
        int a = text.IndexOf(start, StringComparison.Ordinal);
        if (a < 0) throw new FormatException($".npy header has no {start.Trim()}");
        a += start.Length;
        int b = text.IndexOf(end, a, StringComparison.Ordinal);
        if (b < 0) throw new FormatException($".npy header: unterminated {start.Trim()}");
        return text[a..b];
    }
}
