using System.Collections.ObjectModel;
using System.Globalization;

namespace SocketShell;

/// <summary>
/// The ids of the processes that hold a socket: a list of numbers in the pipeline, and "1,2" as text, so
/// Export-Csv and string conversion give a readable cell instead of a type name.
/// </summary>
public sealed class ProcessIdList : ReadOnlyCollection<int>
{
    /// <summary>An empty list (no process known).</summary>
    public static readonly ProcessIdList None = new([]);

    /// <summary>Wraps <paramref name="ids"/> (copied).</summary>
    public ProcessIdList(IEnumerable<int> ids) : base((ids ?? throw new ArgumentNullException(nameof(ids))).ToList()) { }

    /// <summary>The ids joined with commas, e.g. "812,813".</summary>
    public override string ToString() => string.Join(",", this.Select(i => i.ToString(CultureInfo.InvariantCulture)));
}
