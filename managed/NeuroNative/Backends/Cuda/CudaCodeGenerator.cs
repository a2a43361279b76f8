using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NeuroNative.Backends.Cpp;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;

namespace NeuroNative.Backends.Cuda;

/// <summary>
/// Prints a step program as one CUDA translation unit: the model's sections as the compiled backend
/// prints them (<see cref="CppCodeGenerator"/>, here device functions over one lane), a <c>Model</c>
/// with its sizes, and the fused kernel <c>nn_gpu_run</c> (neuronative/gpu.hpp: a thread per neuron,
/// many steps per launch). The unit includes only the package's headers (neuronative/gpu.hpp and what it
/// includes), so that NVRTC compiles it with those headers handed over, clang-14 with <c>-x cuda
/// --cuda-device-only -nocudainc -nocudalib -I native/include</c>, and a host compiler with
/// <c>-DNN_GPU_EMULATION</c> (then <c>nn_gpu_emulate</c> runs the grid as a loop).
/// </summary>
public static class CudaCodeGenerator
{
    /// <summary>The kernel's entry point (extern "C").</summary>
    public const string KernelName = "nn_gpu_run";

    /// <summary>The host emulation's entry point: <c>void nn_gpu_emulate(const nn_gpu_args*)</c>.</summary>
    public const string EmulationEntry = "nn_gpu_emulate";

    public static KernelSource Generate(StepProgram program, Precision precision)
    {
        var model = program.Model;
        int nState = model.States.Count;
        var sb = new StringBuilder();
        sb.AppendLine($"// NeuroNative CUDA kernel: {nState} state variables ({string.Join(", ", model.States.Select(s => s.Name))}),");
        sb.AppendLine($"// method {program.MethodName}, integration step in {(precision == Precision.Float32 ? "float" : "double")}.");
        sb.AppendLine("// Generated from the model's IR by NeuroNative.Backends.Cuda.CudaCodeGenerator; do not edit.");
        sb.AppendLine(CppCodeGenerator.Cost(program));
        sb.AppendLine("#include \"neuronative/gpu.hpp\"");
        sb.AppendLine();
        sb.AppendLine("namespace {");
        sb.AppendLine();
        CppCodeGenerator.Sections(sb, program, precision, CppCodeGenerator.Dialect.Cuda);

        var method = program.Method;
        bool mask = program.Flags.Any(f => f.HasFlag(StateFlags.UnlessRefractory));
        string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        sb.AppendLine("// The sections as the step schedule calls them, with the sizes of the thread's arrays.");
        sb.AppendLine("struct Model {");
        sb.AppendLine($"    static constexpr int32_t kStates = ::kStates, kParams = {I(model.Parameters.Count)};");
        sb.AppendLine($"    static constexpr int64_t kWorkspace = nn::workspace_doubles({MethodConstant(method.Kind, program.NoiseTerms)}, " +
                      $"kStates, ::kNoise, {I(method.Stages)}, 1);");
        sb.AppendLine($"    static constexpr int32_t kRefractory = {I((int)model.RefractoryKind)};");
        sb.AppendLine($"    static constexpr bool kThreshold = {Bool(model.Threshold is not null)}, kReset = {Bool(model.Reset.Count > 0)}, " +
                      $"kRefractoryMask = {Bool(mask)};");
        sb.AppendLine("    NN_HD void refractory(const nn_kernel_block* b) { nn_kernel_refractory(b); }");
        sb.AppendLine("    NN_HD void integrate(const nn_kernel_block* b) { nn_kernel_integrate(b); }");
        sb.AppendLine("    NN_HD void threshold(const nn_kernel_block* b) { nn_kernel_threshold(b); }");
        sb.AppendLine("    NN_HD void statements(const nn_kernel_block* b, int32_t section, int32_t lane) { nn_kernel_statements(b, section, lane); }");
        sb.AppendLine("    NN_HD void operation(const nn_kernel_block* b, int32_t operation) { nn_kernel_operation(b, operation); }");
        sb.AppendLine("};");
        sb.AppendLine();
        sb.AppendLine("} // namespace");
        sb.AppendLine();
        sb.AppendLine($"NN_GLOBAL void {KernelName}(nn_gpu_args a) {{ nn::gpu::run_thread<Model>(a, nn::gpu::thread_index()); }}");
        sb.AppendLine();
        sb.AppendLine("#if defined(NN_GPU_EMULATION)");
        sb.AppendLine($"extern \"C\" NN_KERNEL_EXPORT void {EmulationEntry}(const nn_gpu_args* a) {{");
        sb.AppendLine("    for (int64_t i = 0; i < a->n; ++i) nn::gpu::run_thread<Model>(*a, i);");
        sb.AppendLine("}");
        sb.AppendLine("#endif");

        string code = sb.ToString();
        return new KernelSource(code, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code))));
    }

    private static string Bool(bool b) => b ? "true" : "false";

    /// <summary>The nn::Method the integrator step of <see cref="CppCodeGenerator.Sections"/> calls.</summary>
    private static string MethodConstant(MethodKind kind, int noise) => kind switch
    {
        MethodKind.ExplicitRungeKutta => "nn::EXPLICIT_RK",
        MethodKind.ExponentialEuler => "nn::EXPONENTIAL_EULER",
        MethodKind.StochasticHeun => "nn::STOCHASTIC_HEUN",
        MethodKind.LinearSystem => "nn::LINEAR_SYSTEM",
        _ => "nn::MILSTEIN",
    };
}
