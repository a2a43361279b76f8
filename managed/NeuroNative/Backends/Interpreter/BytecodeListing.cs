using System.Globalization;
using System.Text;
using NeuroNative.Interop;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;
using NeuroNative.Models.Reporting;

namespace NeuroNative.Backends.Interpreter;

/// <summary>The interpreter's bytecode as text (<c>neuronative codegen --target bytecode</c>).</summary>
public static class BytecodeListing
{
    /// <summary>The native model description as an assembly listing: <c>MUL t3, state[0], const[2]</c>,
    /// with the names and constant values as comments.</summary>
    public static string Write(StepProgram program, string title)
    {
        var d = BytecodeCompiler.Compile(program);
        var sb = new StringBuilder();
        sb.Append("# bytecode of ").AppendLine(title);
        sb.Append("# method: ").Append(program.MethodName).Append(" (").Append(d.Method).Append(", ")
          .Append(d.Method == nn_method.NN_METHOD_EXPLICIT_RK ? $"{d.RkB.Length} stages" : "1 stage").AppendLine(")");
        sb.Append("# refractory: ").Append(d.Refractory).Append(", threshold: ").Append(d.HasThreshold ? "yes" : "no")
          .Append(", noise terms: ").Append(d.NoiseCount).Append(", inputs: ").Append(d.InputCount).AppendLine();
        IrListing.Declarations(sb, program.Model);
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
        for (int j = 0; j < d.Operations.Length; j++) listing.Section(sb, $"operation {j} (slot {d.Operations[j].Slot})", d.Operations[j].Code);
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
            // Which of a, b, c are operands (o), immediates (i) or unused (-), from opcodes.def.
            OpcodeTable.Row? row = (uint)op < (uint)OpcodeTable.Rows.Length ? OpcodeTable.Rows[(int)op] : null;
            string layout = row?.Roles ?? "o--";
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
            string name = row?.Name ?? $"OP{(int)op}";
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
