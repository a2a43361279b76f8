using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NeuroNative.Models;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>Where Brian 2 runs the script: its runtime device (Python with Cython code objects) or
/// cpp_standalone (one generated C++ program, compiled before it runs).</summary>
public enum Brian2Device { Runtime, CppStandalone }

/// <summary>The runtime device's code generation target (Brian's prefs.codegen.target): auto (Cython when it
/// works, else numpy), Cython (compiled code objects, cached on disk), numpy (no compiler: quick to start).</summary>
public enum Brian2Target { Auto, Cython, Numpy }

/// <summary>
/// The Brian 2 script equivalent to an experiment: the model equations, threshold, reset, refractoriness
/// and method verbatim, the namespace entries as the Brian expressions of the file, dt and duration,
/// sweep values and TimedArray samples exactly as NeuroNative holds them (shortest round-trip float
/// literals and .npy files), the initial values as Brian's <c>G.v = 'El'</c>, and the monitors. The
/// script stands on its own: <c>/usr/bin/python3 DIR/brian2_script.py</c> writes Brian's results to
/// DIR/brian2_results in the layout of <c>neuronative run</c>, with its timings in brian2.json.
/// </summary>
public static partial class Brian2Script
{
    public const string FileName = "brian2_script.py";
    /// <summary>The folder, next to the script, that receives Brian's results.</summary>
    public const string ResultsFolder = "brian2_results";
    /// <summary>The folder, next to the script, that holds the TimedArray samples (one .npy per input).</summary>
    public const string InputsFolder = "brian2_inputs";
    public const string TimingFile = "brian2.json";
    /// <summary>The folder, next to the script, of cpp_standalone's generated project.</summary>
    public const string StandaloneFolder = "brian2_standalone";
    /// <summary>The script's exit code when Python cannot import Brian 2 or numpy.</summary>
    public const int MissingBrianExitCode = 3;

    /// <summary>Writes <see cref="FileName"/> (and the TimedArray samples) into <paramref name="directory"/>.</summary>
    /// <param name="threads">OpenMP threads of cpp_standalone (the runtime device has one).</param>
    /// <param name="target">The runtime device's code generation target (cpp_standalone has its own).</param>
    /// <returns>The script's full path.</returns>
    public static string Write(Experiment experiment, string directory, Brian2Device device, int threads,
        Brian2Target target = Brian2Target.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Supported(experiment, device);
        var output = ExperimentOutput.Open(directory);
        var inputs = experiment.Program.Model.Inputs;
        if (inputs.Count > 0)
        {
            var folder = ExperimentOutput.Open(Path.Combine(output.Directory, InputsFolder));
            foreach (var input in inputs)
            {
                var a = input.Array;
                long[] shape = a.Columns == 1 ? [a.Times] : [a.Times, a.Columns];
                folder.WriteArray($"{input.Name}.npy", a.Values, shape);
            }
        }
        output.WriteText(FileName, Text(experiment, device, threads, target));
        return Path.Combine(output.Directory, FileName);
    }

    /// <summary>Refuses what a Brian script cannot reproduce neuron for neuron.</summary>
    private static void Supported(Experiment experiment, Brian2Device device)
    {
        var model = experiment.Program.Model;
        if (model.NoiseTerms.Count > 0 || model.RandomStreams > 0)
            throw new NotSupportedException($"{experiment.Source}: the model draws random numbers " +
                $"({string.Join(", ", model.NoiseTerms.DefaultIfEmpty("rand()/randn()"))}); Brian's generator is not " +
                "NeuroNative's, so the two runs cannot agree neuron for neuron; compare a deterministic model");
        if (experiment.Initial.FirstOrDefault(i => RandomCall().IsMatch(i.Expression)) is { } random)
            throw new NotSupportedException($"{experiment.Source}: the initial value of '{random.Variable}' draws random numbers " +
                $"('{random.Expression.Trim()}'); Brian's generator is not NeuroNative's, so the two runs cannot agree neuron for neuron");
        // Phases are one run() each; cpp_standalone times only its last run, so it compares one-run experiments.
        if (experiment.Phases.Count > 1 && device == Brian2Device.CppStandalone)
            throw new NotSupportedException($"{experiment.Source}: {experiment.Phases.Count} phases are {experiment.Phases.Count} runs, and " +
                "cpp_standalone reports the time of its last run only; compare it with --device runtime");
        if (experiment.Phases.SelectMany((p, k) => p.Set.Select(a => (a, k))).FirstOrDefault(x => x.a.Values is not null) is { a: { } array } found)
            throw new NotSupportedException($"{experiment.Source}: phase {found.k + 1} sets '{array.Variable}' from an array, which the " +
                "script does not write; compare with expressions");
        if (experiment.Model.Events.Count > 0)
            throw new NotSupportedException($"{experiment.Source}: the model has input events, which a NeuronGroup " +
                "script cannot express");
        // Brian needs a Python function with an implementation per code generation target for each.
        if (!string.IsNullOrWhiteSpace(experiment.Model.Functions))
            throw new NotSupportedException($"{experiment.Source}: the model defines functions, which a Brian 2 script " +
                "would need as Python functions with an implementation for every code generation target; the script " +
                "does not write them");
    }

    private static string Text(Experiment e, Brian2Device device, int threads, Brian2Target target)
    {
        var model = e.Program.Model;
        var py = new StringBuilder();
        string deviceText = device == Brian2Device.Runtime
            ? "Brian's runtime device (one thread)"
            : $"Brian's cpp_standalone device ({threads} OpenMP thread{(threads == 1 ? "" : "s")})";
        py.Append($$""""
            #!/usr/bin/python3
            """
            Brian 2 script equivalent to the NeuroNative experiment {{Path.GetFileName(e.Source)}}
            (written by `neuronative compare`, NeuroNative {{ExperimentOutput.Version}}); runs on {{deviceText}}.

            Run it with the system Python 3 (Debian's python3-brian):  /usr/bin/python3 {{FileName}}
            It writes {{ResultsFolder}}/ next to this file, in the layout of `neuronative run`: spike_counts.npy,
            spikes_index.npy, spikes_time.npy, state_<var>.npy [neurons, samples], state_time.npy,
            state_neurons.npy, and {{TimingFile}} (code generation + compilation and the simulation timed apart).
            """
            import json
            import os
            import sys
            import time

            try:
                import numpy as np
                import brian2
                from brian2 import *
            except ImportError as error:
                print(f'{sys.executable} cannot import Brian 2: {error}', file=sys.stderr)
                sys.exit({{MissingBrianExitCode}})

            HERE = os.path.dirname(os.path.abspath(__file__))
            OUT = os.path.join(HERE, '{{ResultsFolder}}')
            os.makedirs(OUT, exist_ok=True)


            """");
        if (device == Brian2Device.CppStandalone)
            py.Append($"""
                # The generated C++ project, kept so that a rerun only rebuilds what changed. build_on_run=False:
                # run() only records the network, so compilation and the run are timed apart.
                build_dir = os.path.join(HERE, '{StandaloneFolder}')
                set_device('cpp_standalone', directory=build_dir, build_on_run=False)
                prefs.devices.cpp_standalone.openmp_threads = {threads}

                """);
        else if (target != Brian2Target.Auto) py.Append($"prefs.codegen.target = '{target.ToString().ToLowerInvariant()}'\n");
        py.Append($"defaultclock.dt = {Seconds(e.Dt)}\n\n");

        py.Append("# The namespace in dependency order: each entry is a Brian expression that may use the earlier ones.\n");
        py.Append("namespace = {}\nfor name, expression in [\n");
        foreach (var c in model.Constants)
            py.Append($"        ({Str(c.Name)}, {Str(c.Expression ?? Literal(c.Value.Value, c.Value.Dimension))}),\n");
        py.Append("]:\n    namespace[name] = eval(expression, globals(), namespace)\n");
        foreach (var input in model.Inputs)
            py.Append($"namespace[{Str(input.Name)}] = TimedArray(np.load(os.path.join(HERE, {Str(InputsFolder)}, " +
                $"{Str(input.Name + ".npy")})){Times(input.Array.Unit)}, dt={Seconds(input.Array.Dt)})\n");

        py.Append($"\nequations = {Str(e.Model.Equations)}\n");
        var perNeuron = model.Parameters.Where(p => p.FromNamespace).ToList();
        if (perNeuron.Count > 0)
        {
            py.Append("# Namespace constants varied per neuron are parameters of the group, starting at their namespace value.\n");
            py.Append($"equations += {Str("\n" + string.Concat(perNeuron.Select(p => $"{p.Name} : {p.Dimension.ToBrianString()} (constant)\n")))}\n");
            py.Append($"per_neuron = {{name: namespace.pop(name) for name in [{string.Join(", ", perNeuron.Select(p => Str(p.Name)))}]}}\n");
        }

        var arguments = new List<string> { e.N.ToString(CultureInfo.InvariantCulture), "equations" };
        if (e.Model.Threshold is { } threshold) arguments.Add($"threshold={Str(threshold.Trim())}");
        if (e.Model.Reset is { } reset) arguments.Add($"reset={Str(reset.Trim())}");
        if (e.Model.Refractory is { } refractory) arguments.Add($"refractory={Str(refractory.Trim())}");
        if (e.Model.Method is { } method) arguments.Add($"method={Str(method.Trim())}");
        if (e.Model.CustomEvents.Count > 0)
            arguments.Add($"events={{{string.Join(", ", e.Model.CustomEvents.Select(x => $"{Str(x.Name)}: {Str(x.Condition.Trim())}"))}}}");
        arguments.Add("namespace=namespace");
        py.Append($"group = NeuronGroup({string.Join(", ", arguments)})\n");
        if (perNeuron.Count > 0) py.Append("for name, value in per_neuron.items():\n    setattr(group, name, value)\n");
        foreach (var ev in e.Model.CustomEvents)
        {
            if ((ev.ConditionWhen, ev.ConditionOrder) != ("after_thresholds", 0))
                py.Append($"group.set_event_schedule({Str(ev.Name)}, when={Str(ev.ConditionWhen)}, order={ev.ConditionOrder})\n");
            if (ev.Code is { } code)
                py.Append($"group.run_on_event({Str(ev.Name)}, {Str(code.Trim())}, when={Str(ev.When)}, order={ev.Order})\n");
        }
        foreach (var op in e.Model.RunRegularly)
            py.Append($"group.run_regularly({Str(op.Code.Trim())}" + (op.Dt is { } opDt ? $", dt={Seconds(opDt)}" : "") +
                $", when={Str(op.When)}, order={op.Order})\n");

        if (e.Sweep is { } sweep) AppendSweep(py, sweep);
        // After the sweep, so that an initial value may use a swept parameter (ExperimentRunner's order).
        foreach (var initial in e.Initial) py.Append($"group.{initial.Variable} = {Str(initial.Expression.Trim())}\n");

        if (e.RecordSpikes) py.Append($"spike_monitor = SpikeMonitor(group{MonitorArguments(e.SpikeVariables)})\n");
        foreach (var ev in e.RecordEvents) py.Append($"events_{ev.Event} = EventMonitor(group, {Str(ev.Event)}{MonitorArguments(ev)})\n");
        if (e.RecordState is { } state)
        {
            string every = state.EverySteps == 1 ? "" : $", dt={state.EverySteps}*defaultclock.dt";
            py.Append($"state_monitor = StateMonitor(group, [{string.Join(", ", state.Variables.Select(Str))}], " +
                $"record=[{string.Join(", ", state.Neurons)}]{every}" +
                ((state.When, state.Order) == ("start", 0) ? "" : $", when={Str(state.When)}, order={state.Order}") + ")\n");
        }

        py.Append('\n');
        bool runtime = device == Brian2Device.Runtime;
        if (runtime) py.Append("start = time.perf_counter()\nsim_s = 0.0\n");
        for (int k = 0; k < e.Phases.Count; k++)
        {
            var phase = e.Phases[k];
            if (e.Phases.Count > 1)
            {
                py.Append($"# phase {k + 1} of {e.Phases.Count}\n");
                // String assignments, as Brian evaluates them per neuron (non-refractory ones for 'unless refractory').
                foreach (var a in phase.Set) py.Append($"group.{a.Variable} = {Str(a.Expression.Trim())}\n");
                if (e.RecordSpikes) py.Append($"spike_monitor.active = {(phase.RecordSpikes ? "True" : "False")}\n");
                if (e.RecordState is not null) py.Append($"state_monitor.active = {(phase.RecordState ? "True" : "False")}\n");
            }
            py.Append($"run({Seconds(phase.Duration)})\n");
            // Brian times the step loop alone; the rest of run() is code generation and compilation.
            if (runtime) py.Append("sim_s += float(device._last_run_time)\n");
            // The final state once more (in cpp_standalone before the build, as Brian's test does).
            if (e.RecordState is not null && (phase.RecordSingleTimestep || (k == e.Phases.Count - 1 && e.RecordState.RecordSingleTimestep)))
                py.Append("state_monitor.record_single_timestep()\n");
        }
        if (runtime)
            py.Append("""
                wall_s = time.perf_counter() - start
                compile_s = wall_s - sim_s

                """);
        else
            py.Append("""
                start = time.perf_counter()
                device.build(directory=build_dir, compile=True, run=False)
                compile_s = time.perf_counter() - start
                device.run(build_dir, with_output=False, run_args=[])
                # Measured inside the program around Network::run: the step loop alone.
                sim_s = float(device._last_run_time)

                """);

        py.Append('\n');
        if (e.RecordSpikes)
            py.Append("""
                np.save(os.path.join(OUT, 'spike_counts.npy'), np.asarray(spike_monitor.count[:], dtype=np.int64))
                np.save(os.path.join(OUT, 'spikes_index.npy'), np.asarray(spike_monitor.i[:], dtype=np.int64))
                np.save(os.path.join(OUT, 'spikes_time.npy'), np.asarray(spike_monitor.t_[:], dtype=np.float64))

                """);
        if (e.RecordSpikes) SaveValues(py, "spike_monitor", "spikes", e.SpikeVariables);
        foreach (var ev in e.RecordEvents)
        {
            py.Append($"""
                np.save(os.path.join(OUT, 'events_{ev.Event}_index.npy'), np.asarray(events_{ev.Event}.i[:], dtype=np.int64))
                np.save(os.path.join(OUT, 'events_{ev.Event}_time.npy'), np.asarray(events_{ev.Event}.t_[:], dtype=np.float64))

                """);
            SaveValues(py, $"events_{ev.Event}", $"events_{ev.Event}", ev);
        }
        if (e.RecordState is { } recorded)
            py.Append($"""
                np.save(os.path.join(OUT, 'state_time.npy'), np.asarray(state_monitor.t_[:], dtype=np.float64))
                np.save(os.path.join(OUT, 'state_neurons.npy'), np.asarray([{string.Join(", ", recorded.Neurons)}], dtype=np.int64))
                for variable in [{string.Join(", ", recorded.Variables.Select(Str))}]:
                    # [neurons, samples] in C order (Brian's array is the transpose of its storage)
                    values = np.ascontiguousarray(getattr(state_monitor, variable + '_'), dtype=np.float64)
                    np.save(os.path.join(OUT, f'state_{"{"}variable{"}"}.npy'), values)

                """);
        py.Append($$"""
            with open(os.path.join(OUT, '{{TimingFile}}'), 'w') as f:
                json.dump({'brian2_version': brian2.__version__, 'device': '{{(device == Brian2Device.Runtime ? "runtime" : "cpp_standalone")}}',
                           'codegen_target': device.code_object_class().class_name, 'threads': {{(device == Brian2Device.Runtime ? 1 : threads)}},
                           'compile_s': compile_s, 'sim_s': sim_s}, f, indent=1)

            """);
        return py.ToString();
    }

    /// <summary>", variables=[...], when=..., order=..." of a monitor of an event with variables (empty without).</summary>
    private static string MonitorArguments(EventRecording? r) => r is null || r.Variables.Count == 0 ? ""
        : $", variables=[{string.Join(", ", r.Variables.Select(Str))}]" + (r.When is { } when ? $", when={Str(when)}, order={r.Order ?? 0}" : "");

    /// <summary>Saves a monitor's variables at each event as PREFIX_VAR.npy (float64, SI), as NeuroNative writes them.</summary>
    private static void SaveValues(StringBuilder py, string monitor, string prefix, EventRecording? r)
    {
        foreach (var v in r?.Variables ?? [])
            py.Append($"np.save(os.path.join(OUT, '{prefix}_{v}.npy'), np.asarray(getattr({monitor}, '{v}_')[:], dtype=np.float64))\n");
        if (r is { Variables.Count: > 0 }) py.Append('\n');
    }

    /// <summary>Product: one neuron per combination, the first parameter fastest (meshgrid with the
    /// parameters reversed and 'ij' indexing puts the first on the last, fastest axis); zip: the lists as they are.</summary>
    private static void AppendSweep(StringBuilder py, Sweep sweep)
    {
        py.Append("\n# The sweep's values in SI units, as NeuroNative holds them (shortest round-trip literals).\n");
        foreach (var p in sweep.Parameters) py.Append($"{p.Name}_values = {Array(p.Values)}\n");
        var names = sweep.Parameters.Select(p => p.Name).ToList();
        if (sweep.Mode == SweepMode.Product && names.Count > 1)
        {
            names.Reverse();
            py.Append($"{string.Join(", ", names.Select(n => n + "_grid"))} = " +
                $"np.meshgrid({string.Join(", ", names.Select(n => n + "_values"))}, indexing='ij')\n");
            foreach (var p in sweep.Parameters) py.Append($"group.{p.Name} = {p.Name}_grid.ravel(){Times(p.Unit)}\n");
        }
        else foreach (var p in sweep.Parameters) py.Append($"group.{p.Name} = {p.Name}_values{Times(p.Unit)}\n");
    }

    /// <summary>A Python float literal that reads back as exactly <paramref name="x"/>.</summary>
    internal static string Float(double x)
    {
        if (double.IsNaN(x)) return "float('nan')";
        if (double.IsInfinity(x)) return x > 0 ? "float('inf')" : "-float('inf')";
        string s = x.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
        return s.Contains('.') || s.Contains('e') ? s : s + ".0";
    }

    /// <summary>An SI value times its unit: every unit <see cref="Dimension.ToBrianString"/> names is
    /// coherent (factor 1), so the product is exact.</summary>
    private static string Literal(double value, Dimension unit) => Float(value) + Times(unit);

    private static string Times(Dimension unit)
    {
        if (unit.IsDimensionless) return "";
        string name = unit.ToBrianString();
        return name.All(c => char.IsLetterOrDigit(c) || c == '_') ? $"*{name}" : $"*({name})";
    }

    private static string Seconds(double seconds) => Literal(seconds, Dimension.Time);

    private static string Array(double[] values)
    {
        var sb = new StringBuilder("np.array([");
        int lineStart = 0;
        for (int k = 0; k < values.Length; k++)
        {
            if (k > 0) sb.Append(',');
            if (sb.Length - lineStart > 100)
            {
                sb.Append("\n    ");
                lineStart = sb.Length - 4;
            }
            else if (k > 0) sb.Append(' ');
            sb.Append(Float(values[k]));
        }
        return sb.Append("])").ToString();
    }

    /// <summary>A Python string literal; text with line breaks becomes a triple-quoted block.</summary>
    private static string Str(string text)
    {
        string escaped = text.Replace("\\", "\\\\").Replace("'", "\\'");
        return text.Contains('\n') ? $"'''{escaped}'''" : $"'{escaped}'";
    }

    [GeneratedRegex(@"\b(randn?|poisson)\s*\(")]
    private static partial Regex RandomCall();
}
