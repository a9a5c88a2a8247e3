using System.Globalization;
using System.Management.Automation;
using SocketShell.Completers;
using SocketShell.Resources;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the background listeners running in this session.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SocketListener", DefaultParameterSetName = NameSet)]
[OutputType(typeof(SocketListener), ParameterSetName = [NameSet, IdSet])]
public sealed class GetSocketListenerCommand : SocketCmdletBase
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";

    /// <summary>Names to get; wildcards allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true, HelpMessage = "Names of the listeners to get; wildcards allowed. Without it, every running listener.")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ListenerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Ids to get.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true, HelpMessage = "Ids of the listeners to get.")]
    [ValidateNotNullOrEmpty]
    public int[] Id { get; set; } = [];

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IReadOnlyList<SocketListener> all = ListenerRegistry.All;
        if (ParameterSetName == IdSet)
        {
            foreach (int id in Id)
            {
                SocketListener? l = all.FirstOrDefault(x => x.Id == id);
                if (l is null)
                {
                    string message = string.Format(CultureInfo.CurrentCulture, Messages.ListenerIdNotFound, id);
                    WriteError(new ErrorRecord(new ItemNotFoundException(message), "ListenerNotFound", ErrorCategory.ObjectNotFound, id));
                }
                else
                {
                    WriteObject(l);
                }
            }

            return;
        }

        if (Name is null)
        {
            WriteObject(all, enumerateCollection: true);
            return;
        }

        var written = new HashSet<int>();
        foreach (string name in Name)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            bool any = false;
            foreach (SocketListener l in all)
            {
                if (pattern.IsMatch(l.Name))
                {
                    any = true;
                    if (written.Add(l.Id))
                    {
                        WriteObject(l);
                    }
                }
            }

            if (!any && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                string message = string.Format(CultureInfo.CurrentCulture, Messages.ListenerNameNotFound, name);
                WriteError(new ErrorRecord(new ItemNotFoundException(message), "ListenerNotFound", ErrorCategory.ObjectNotFound, name));
            }
        }
    }
}
