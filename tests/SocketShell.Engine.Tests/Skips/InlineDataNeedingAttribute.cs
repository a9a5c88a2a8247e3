using System.Reflection;
using Xunit.Sdk;

namespace SocketShell.Engine.Tests.Skips;

/// <summary>
/// One row of a [Theory] that runs only where <see cref="Requirement"/> is met and is otherwise reported as
/// a skipped row, with the reason; the theory's other rows still run (e.g. the ::1 row of a loopback theory).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class InlineDataNeedingAttribute : DataAttribute
{
    private readonly object?[] _data;

    public InlineDataNeedingAttribute(Requirement requirement, params object?[] data)
    {
        Requirement = requirement;
        _data = data;
        Skip = Requirements.WhyNot(requirement);
    }

    public Requirement Requirement { get; }

    /// <inheritdoc/>
    public override IEnumerable<object?[]> GetData(MethodInfo testMethod) => [_data];
}
