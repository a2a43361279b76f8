using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using NeuroNative.Interop;

namespace NeuroNative.Backends.Cpp;

/// <summary>
/// Compiled kernels on disk, one entry per key: <c>KEY.so</c> (the library), <c>KEY.sha256</c> (its
/// SHA-256, size and key, written after the library), <c>KEY.cpp</c> and <c>KEY.log</c> (source and
/// compiler log with the vectorisation report), <c>KEY.lock</c>. An entry whose library does not
/// match its sidecar is rebuilt, never loaded. Builds hold an exclusive lock on the lock file (flock
/// on Unix) and compile to a temporary name in the cache folder that is renamed into place after
/// fsync, so other processes see either no library or a whole one.
/// </summary>
internal sealed class KernelCache(string directory)
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(10);

    public string Directory { get; } = directory;

    /// <summary><c>NEURONATIVE_CACHE</c>, else <c>$XDG_CACHE_HOME/neuronative</c>, else <c>~/.cache/neuronative</c>.</summary>
    public static string DefaultDirectory()
    {
        string? env = Environment.GetEnvironmentVariable("NEURONATIVE_CACHE");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrWhiteSpace(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "neuronative");
    }

    /// <summary>SHA-256 of everything the library depends on: source, headers, compiler and flags, the
    /// CPU that <c>-march=native</c> targets (<paramref name="cpu"/>, <see cref="HostCpu.Identity"/>), versions.</summary>
    public static string Key(KernelSource source, HostCompiler compiler, string includeDirectory, string cpu)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n\0"));
        // The kernel ABI version is in kernel_abi.h, one of the headers hashed below.
        Add($"neuronative {Native.VersionNumber()} abi {Native.AbiVersion()}");
        Add(compiler.ExecutablePath);
        Add(compiler.Version);
        Add(string.Join(' ', compiler.Flags));
        Add(cpu);
        foreach (string header in System.IO.Directory.GetFiles(includeDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            Add(Path.GetRelativePath(includeDirectory, header));
            sha.AppendData(File.ReadAllBytes(header));
        }
        Add(source.Code);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public string LibraryPath(string key) => Path.Combine(Directory, key + LibrarySuffix);
    public string LogPath(string key) => Path.Combine(Directory, key + ".log");
    private string SidecarPath(string key) => Path.Combine(Directory, key + ".sha256");

    private static string LibrarySuffix => OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";

    /// <summary>Whether the entry is complete: its library has the size and SHA-256 the sidecar records for this key.</summary>
    public bool IsValid(string key)
    {
        try
        {
            var fields = File.ReadAllText(SidecarPath(key)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var library = new FileInfo(LibraryPath(key));
            return fields.Length == 3 && fields[2] == key && library.Exists && library.Length.ToString() == fields[1]
                && Sha256(library.FullName) == fields[0];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The library of the entry, compiled first unless a valid one is there (or
    /// <paramref name="rebuild"/> asks for a new one). Returns whether this call compiled it.</summary>
    public (string Library, bool Built) GetOrBuild(string key, KernelSource source, HostCompiler compiler, string includeDirectory, bool rebuild)
    {
        if (!rebuild && IsValid(key)) return (LibraryPath(key), false);
        System.IO.Directory.CreateDirectory(Directory);
        using (Lock(key))
        {
            // Another process may have built it while this one waited for the lock.
            if (!rebuild && IsValid(key)) return (LibraryPath(key), false);
            File.Delete(SidecarPath(key));
            string sourceFile = Path.Combine(Directory, key + ".cpp");
            File.WriteAllText(sourceFile, source.Code);
            string temp = Path.Combine(Directory, $"{key}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}{LibrarySuffix}");
            try
            {
                string log = compiler.Compile(sourceFile, temp, includeDirectory);
                File.WriteAllText(LogPath(key), log);
                Fsync(temp);
                File.Move(temp, LibraryPath(key), overwrite: true); // rename(2): atomic
                var info = new FileInfo(LibraryPath(key));
                WriteAtomically(SidecarPath(key), $"{Sha256(info.FullName)} {info.Length} {key}\n");
            }
            finally
            {
                File.Delete(temp);
            }
            return (LibraryPath(key), true);
        }
    }

    /// <summary>An exclusive lock on KEY.lock, waited for (other processes or threads may be compiling).</summary>
    private FileStream Lock(string key)
    {
        string path = Path.Combine(Directory, key + ".lock");
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix: held until the stream is disposed.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (watch.Elapsed < LockTimeout)
            {
                Thread.Sleep(25);
            }
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        string temp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        File.WriteAllText(temp, text);
        Fsync(temp);
        File.Move(temp, path, overwrite: true);
    }

    private static void Fsync(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
