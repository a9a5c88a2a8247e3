namespace SocketShell.Engine.Tests.Skips;

/// <summary>
/// A [Fact] that runs only where <see cref="Requirement"/> is met and is otherwise reported as skipped
/// with the reason (xunit 2 has no dynamic skip; this decides at discovery, which is honest for machine facts).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FactNeedingAttribute : FactAttribute
{
    public FactNeedingAttribute(Requirement requirement)
    {
        Requirement = requirement;
        Skip = Requirements.WhyNot(requirement);
    }

    public Requirement Requirement { get; }
}
