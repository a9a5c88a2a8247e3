namespace SocketShell.Engine.Tests.Skips;

/// <summary>A [Theory] that runs only where <see cref="Requirement"/> is met, otherwise skipped with the reason.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class TheoryNeedingAttribute : TheoryAttribute
{
    public TheoryNeedingAttribute(Requirement requirement)
    {
        Requirement = requirement;
        Skip = Requirements.WhyNot(requirement);
    }

    public Requirement Requirement { get; }
}
