using System.Collections.ObjectModel;

namespace SocketShell;

/// <summary>
/// The service names of a port: a list of strings in the pipeline, and "http, www" as text, so Export-Csv
/// and string conversion give a readable cell instead of a type name.
/// </summary>
public sealed class ServiceNameList : ReadOnlyCollection<string>
{
    /// <summary>An empty list (no service known).</summary>
    public static readonly ServiceNameList None = new([]);

    /// <summary>Wraps <paramref name="names"/> (copied).</summary>
    public ServiceNameList(IEnumerable<string> names) : base((names ?? throw new ArgumentNullException(nameof(names))).ToList()) { }

    /// <summary>The names joined with ", ", e.g. "http, www".</summary>
    public override string ToString() => string.Join(", ", this);
}
