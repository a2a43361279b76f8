using System.Globalization;
using System.Text;
using NeuroNative.Backends.Interpreter;
using NeuroNative.Interop;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;
using NeuroNative.Models.Reporting;

namespace NeuroNative.Cli;

/// <summary>The texts of <c>neuronative codegen</c>: the step program's IR, the interpreter's bytecode,
/// or the Markdown model report.</summary>
internal static class Codegen
{
    public static string Report(StepProgram program, string title) => ModelReport.Markdown(program, title);

    /// <summary>Every section of one step as infix IR, with the model's names.</summary>
    public static string Ir(StepProgram program, string title)
    {
        var model = program.Model;
        var names = model.Names;
        var sb = new StringBuilder();
        sb.Append("# IR of ").AppendLine(title);
        sb.Append("# method: ").Append(program.MethodName).Append(" (").Append(program.MethodReason).AppendLine(")");
        Declarations(sb, model);

        if (program.Derivatives.Count > 0)
        {
            sb.AppendLine().AppendLine("derivatives:");
            for (int v = 0; v < program.Derivatives.Count; v++)
                sb.Append("  d").Append(model.States[v].Name).Append("/dt = ").AppendLine(IrPrinter.Print(program.Derivatives[v], names));
        }
        if (program.LinearA.Count > 0)
        {
            sb.AppendLine().AppendLine("linear (dx/dt = A*x + B, per variable):");
            for (int v = 0; v < program.LinearA.Count; v++)
            {
                sb.Append("  ").Append(model.States[v].Name).Append(": A = ").AppendLine(IrPrinter.Print(program.LinearA[v], names));
                sb.Append("  ").Append(' ', model.States[v].Name.Length).Append("  B = ").AppendLine(IrPrinter.Print(program.LinearB[v], names));
            }
        }
        if (program.Noise.Count > 0 && program.NoiseTerms > 0)
        {
            sb.AppendLine().AppendLine("noise (factor of dW per term):");
            for (int v = 0; v < program.Noise.Count; v++)
                for (int j = 0; j < program.Noise[v].Count; j++)
                    sb.Append("  ").Append(model.States[v].Name).Append(" * d").Append(model.NoiseTerms[j]).Append(": ")
                      .AppendLine(IrPrinter.Print(program.Noise[v][j], names));
        }
        if (model.Threshold is { } threshold)
            sb.AppendLine().Append("threshold: ").AppendLine(IrPrinter.Print(threshold, names));
        Stores(sb, "reset", model.Reset, model);
        if (model.Refractory is { } refractory)
            sb.AppendLine().Append("refractory (").Append(model.RefractoryKind.ToString().ToLowerInvariant()).Append("): ")
              .AppendLine(IrPrinter.Print(refractory, names));
        for (int e = 0; e < model.Events.Count; e++) Stores(sb, $"event {e}", model.Events[e], model);
        return sb.ToString();
    }

    private static void Declarations(StringBuilder sb, AnalyzedModel model)
    {
        sb.AppendLine().AppendLine("states:");
        for (int k = 0; k < model.States.Count; k++)
            sb.Append("  state[").Append(k).Append("] ").Append(model.States[k].Name).Append(" : ").AppendLine(model.States[k].Dimension.ToBrianString());
        if (model.Parameters.Count > 0)
        {
            sb.AppendLine("parameters:");
            for (int k = 0; k < model.Parameters.Count; k++)
            {
                var p = model.Parameters[k];
                sb.Append("  param[").Append(k).Append("] ").Append(p.Name).Append(" : ").Append(p.Dimension.ToBrianString());
                if (p.Default is { } d) sb.Append(" = ").Append(IrPrinter.FormatNumber(d));
                sb.AppendLine();
            }
        }
    }

    private static void Stores(StringBuilder sb, string title, IReadOnlyList<IrStore> stores, AnalyzedModel model)
    {
        if (stores.Count == 0) return;
        sb.AppendLine().Append(title).AppendLine(":");
        foreach (var s in stores)
        {
            string target = s.Kind == VariableKind.State ? model.States[s.Index].Name : model.Parameters[s.Index].Name;
            sb.Append("  ").Append(target).Append(" = ").AppendLine(IrPrinter.Print(s.Value, model.Names));
        }
    }

    /// <summary>The native model description as an assembly listing: <c>MUL t3, state[0], const[2]</c>,
    /// with the names and constant values as comments.</summary>
    public static string Bytecode(StepProgram program, string title)
    {
        var d = BytecodeCompiler.Compile(program);
        var sb = new StringBuilder();
        sb.Append("# bytecode of ").AppendLine(title);
        sb.Append("# method: ").Append(program.MethodName).Append(" (").Append(d.Method).Append(", ")
          .Append(d.Method == nn_method.NN_METHOD_EXPLICIT_RK ? $"{d.RkB.Length} stages" : "1 stage").AppendLine(")");
        sb.Append("# refractory: ").Append(d.Refractory).Append(", threshold: ").Append(d.HasThreshold ? "yes" : "no")
          .Append(", noise terms: ").Append(d.NoiseCount).Append(", inputs: ").Append(d.InputCount).AppendLine();
        Declarations(sb, program.Model);
        sb.AppendLine("constants:");
        for (int k = 0; k < d.Constants.Length; k++)
            sb.Append("  const[").Append(k).Append("] = ").AppendLine(IrPrinter.FormatNumber(d.Constants[k]));

        var listing = new Listing(d, program.Model);
        listing.Section(sb, "derivatives", d.Derivatives);
        listing.Section(sb, "noise", d.Noise);
        listing.Section(sb, "linear", d.Linear);
        listing.Section(sb, "threshold", d.Threshold);
        listing.Section(sb, "reset", d.Reset);
        listing.Section(sb, "refractory", d.RefractoryExpr);
        for (int e = 0; e < d.Events.Length; e++) listing.Section(sb, $"event {e}", d.Events[e]);
        listing.Section(sb, "observables", d.Observables);
        return sb.ToString();
    }

    private sealed class Listing(NativeModelDescription d, AnalyzedModel model)
    {
        public void Section(StringBuilder sb, string name, NativeSection section)
        {
            if (section.Code.Length == 0) return;
            int count = section.Code.Length / 5;
            sb.AppendLine().Append("section ").Append(name).Append(": ").Append(count).Append(" instructions, ")
              .Append(section.Temps).Append(" temps, ").Append(section.Outputs).AppendLine(" outputs");
            for (int k = 0; k < count; k++)
                sb.Append("  ").AppendLine(Instruction(section.Code.AsSpan(5 * k, 5)));
        }

        private string Instruction(ReadOnlySpan<int> code)
        {
            var op = (nn_opcode)code[0];
            int dst = code[1], a = code[2], b = code[3], c = code[4];
            // Which of a, b, c are operands (o), immediates (i) or unused (-).
            string layout = op switch
            {
                nn_opcode.NN_OP_RAND or nn_opcode.NN_OP_RANDN => "i--",
                nn_opcode.NN_OP_POWI => "oi-",
                nn_opcode.NN_OP_INPUT => "ooi",
                nn_opcode.NN_OP_SELECT or nn_opcode.NN_OP_CLIP => "ooo",
                nn_opcode.NN_OP_ADD or nn_opcode.NN_OP_SUB or nn_opcode.NN_OP_MUL or nn_opcode.NN_OP_DIV
                    or nn_opcode.NN_OP_POW or nn_opcode.NN_OP_FLOORDIV or nn_opcode.NN_OP_MOD or nn_opcode.NN_OP_LT
                    or nn_opcode.NN_OP_LE or nn_opcode.NN_OP_GT or nn_opcode.NN_OP_GE or nn_opcode.NN_OP_EQ
                    or nn_opcode.NN_OP_NE or nn_opcode.NN_OP_AND or nn_opcode.NN_OP_OR => "oo-",
                _ => "o--",
            };
            var args = new List<string> { Operand(dst) };
            var notes = new List<string>();
            int[] values = [a, b, c];
            for (int k = 0; k < 3; k++)
            {
                if (layout[k] == '-') continue;
                if (layout[k] == 'i')
                {
                    args.Add(values[k].ToString(CultureInfo.InvariantCulture));
                    continue;
                }
                args.Add(Operand(values[k]));
                if (Note(values[k]) is { } note) notes.Add(note);
            }
            string name = op.ToString().StartsWith("NN_OP_", StringComparison.Ordinal) ? op.ToString()[6..] : $"OP{(int)op}";
            string text = $"{name,-8} {string.Join(", ", args)}";
            return notes.Count == 0 ? text : $"{text,-44} ; {string.Join(", ", notes)}";
        }

        private static string Operand(int operand)
        {
            int index = operand & 0xFFFFFF;
            return (nn_space)(operand >> 24) switch
            {
                nn_space.NN_SPACE_TEMP => $"t{index}",
                nn_space.NN_SPACE_STATE => $"state[{index}]",
                nn_space.NN_SPACE_PARAM => $"param[{index}]",
                nn_space.NN_SPACE_CONST => $"const[{index}]",
                nn_space.NN_SPACE_SPECIAL => $"special[{index}]",
                nn_space.NN_SPACE_OUT => $"out[{index}]",
                var space => $"space{(int)space}[{index}]",
            };
        }

        /// <summary>What an operand stands for: a variable name, a constant's value, a special's name.</summary>
        private string? Note(int operand)
        {
            int index = operand & 0xFFFFFF;
            return (nn_space)(operand >> 24) switch
            {
                nn_space.NN_SPACE_STATE when index < model.States.Count => model.States[index].Name,
                nn_space.NN_SPACE_PARAM when index < model.Parameters.Count => model.Parameters[index].Name,
                nn_space.NN_SPACE_CONST when index < d.Constants.Length => IrPrinter.FormatNumber(d.Constants[index]),
                nn_space.NN_SPACE_SPECIAL => ((nn_special)index).ToString().Replace("NN_SPECIAL_", "").ToLowerInvariant(),
                _ => null,
            };
        }
    }
}
