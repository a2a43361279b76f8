using System.Diagnostics;
using System.Globalization;
using NeuroNative.Runs;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NeuroNative.Cli;

/// <summary>How <c>run</c> shows its progress: not at all (tests), as a live bar on a terminal, or as a plain line
/// now and then when stderr is a file or pipe (a Slurm log).</summary>
public enum ProgressMode { None, Terminal, Lines }

/// <summary>Progress of a run on stderr with rates (neuron-steps/s, conditions/s) and the time left, computed from this
/// process's own work (a resumed run's earlier chunks do not inflate its rate). Reports come from the run loop.</summary>
internal abstract class ConsoleProgress : IProgress<RunProgress>, IDisposable
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private (string Label, long Before, TimeSpan Start) _origin = ("", 0, TimeSpan.Zero);

    public static ConsoleProgress? Create(ProgressMode mode, TextWriter writer) => mode switch
    {
        ProgressMode.Terminal => new TerminalProgress(writer),
        ProgressMode.Lines => new LineProgress(writer, TimeSpan.FromSeconds(30)),
        _ => null,
    };

    public void Report(RunProgress value)
    {
        // Each exploration of a file is a run of its own: its rate starts when it does.
        if (value.Label != _origin.Label) _origin = (value.Label, value.NeuronStepsDone, _watch.Elapsed);
        Show(value, _watch.Elapsed);
    }

    protected abstract void Show(RunProgress value, TimeSpan now);

    /// <summary>"1.23e+08 neuron-steps/s, 45.6 conditions/s, 0:01:02 left" (what is known so far).</summary>
    protected string Rates(RunProgress p, TimeSpan now)
    {
        double seconds = (now - _origin.Start).TotalSeconds;
        long work = p.NeuronStepsDone - Math.Max(p.NeuronStepsBefore, _origin.Before);
        if (seconds <= 0 || work <= 0) return "rate: measuring";
        double rate = work / seconds;
        double stepsPerCondition = p.Conditions > 0 ? (double)p.NeuronStepsTotal / p.Conditions : 1;
        var left = TimeSpan.FromSeconds(Math.Min((p.NeuronStepsTotal - p.NeuronStepsDone) / rate, TimeSpan.MaxValue.TotalSeconds / 2));
        return string.Create(CultureInfo.InvariantCulture,
            $"{rate:0.00e+00} neuron-steps/s, {rate / stepsPerCondition:0.0} conditions/s, {left:h\\:mm\\:ss} left");
    }

    protected static string Counts(RunProgress p) => p.Chunks > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{p.ConditionsDone}/{p.Conditions} conditions, chunks {p.ChunksDone}/{p.Chunks}")
        : string.Create(CultureInfo.InvariantCulture, $"{p.Conditions} conditions");

    public abstract void Dispose();
}

/// <summary>A Spectre.Console live display: per run (per exploration) a bar with the conditions and chunks done, and a
/// line of rates under it. Frames are drawn by the reporting thread (at most 5 a second); a background thread only
/// holds the live display open.</summary>
internal sealed class TerminalProgress : ConsoleProgress
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly ManualResetEventSlim _finished = new(), _started = new();
    private readonly Thread _holder;
    private readonly List<IRenderable> _finishedRuns = [];
    private LiveDisplayContext? _context;
    private IRenderable? _current;
    private string? _label;
    private TimeSpan _last = -Interval;

    public TerminalProgress(TextWriter writer)
    {
        // The caller chose a terminal (stderr is one): drawn as on one, whatever Spectre would detect of the writer.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes,
        });
        _holder = new Thread(() => console.Live(new Text("")).AutoClear(false).Start(context =>
        {
            _context = context;
            _started.Set();
            _finished.Wait();
        })) { IsBackground = true, Name = "progress" };
        _holder.Start();
        _started.Wait();
    }

    protected override void Show(RunProgress value, TimeSpan now)
    {
        if (_label is not null && value.Label != _label && _current is not null) _finishedRuns.Add(_current);
        bool newRun = value.Label != _label;
        _label = value.Label;
        _current = Frame(value, now);
        if (newRun || now - _last >= Interval || value.ConditionsDone >= value.Conditions) Draw(now);
    }

    private IRenderable Frame(RunProgress p, TimeSpan now)
    {
        const int width = 30;
        int filled = (int)Math.Round(Math.Clamp(p.Fraction, 0, 1) * width);
        string bar = $"[green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/]";
        string head = string.Create(CultureInfo.InvariantCulture, $"{Markup.Escape(p.Label.Length > 0 ? p.Label + " " : "")}{bar} {100 * p.Fraction,5:F1}%  {Counts(p)}");
        return new Rows(new Markup(head), new Text("  " + Rates(p, now)));
    }

    private void Draw(TimeSpan now)
    {
        _context!.UpdateTarget(new Rows([.. _finishedRuns, _current!]));
        _context.Refresh();
        _last = now;
    }

    public override void Dispose()
    {
        if (_current is not null) Draw(TimeSpan.Zero);
        _finished.Set();
        _holder.Join();
    }
}

/// <summary>A plain line at the start, every interval and at the end: what a batch log can hold.</summary>
internal sealed class LineProgress(TextWriter writer, TimeSpan interval) : ConsoleProgress
{
    private TimeSpan _last = -interval;
    private RunProgress? _pending;
    private TimeSpan _pendingAt;

    protected override void Show(RunProgress value, TimeSpan now)
    {
        _pending = value;
        _pendingAt = now;
        if (now - _last >= interval || value.ConditionsDone >= value.Conditions) Flush();
    }

    private void Flush()
    {
        if (_pending is not { } p) return;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"progress: {(p.Label.Length > 0 ? p.Label + ": " : "")}{100 * p.Fraction:F1}% ({Counts(p)}), {Rates(p, _pendingAt)}"));
        writer.Flush();
        _last = _pendingAt;
        _pending = null;
    }

    public override void Dispose() => Flush();
}

/// <summary>A run in one piece reports steps; the display shows them as the work of its conditions.</summary>
internal sealed class StepProgress(IProgress<RunProgress> progress, long conditions) : IProgress<(long Done, long Total)>
{
    public void Report((long Done, long Total) value) => progress.Report(RunProgress.OfSteps("", value.Done, value.Total, conditions));
}
