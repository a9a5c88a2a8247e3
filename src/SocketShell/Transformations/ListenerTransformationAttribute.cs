using System.Globalization;
using System.Management.Automation;
using SocketShell.Listeners;
using SocketShell.Resources;

namespace SocketShell.Transformations;

/// <summary>
/// Lets a <see cref="SocketListener"/> parameter take the listener itself, its name, or its id: the
/// name or id is looked up among this session's running listeners. Nothing found fails parameter
/// binding with a message naming what was given.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ListenerTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        switch (value)
        {
            case SocketListener listener:
                return listener;
            case int or long or short or byte or uint or ushort:
                long id = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return (id is > 0 and <= int.MaxValue ? RunspaceSessions.Current.Listeners.Find((int)id) : null)
                    ?? throw NotFound(value);
            case string text when !string.IsNullOrWhiteSpace(text):
                return RunspaceSessions.Current.Listeners.Find(text.Trim())
                    ?? (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? RunspaceSessions.Current.Listeners.Find(n) : null)
                    ?? throw NotFound(text);
            default:
                // Not ours to judge: the binder reports the type mismatch.
                return inputData;
        }
    }

    private static ArgumentTransformationMetadataException NotFound(object what) =>
        new(string.Format(CultureInfo.CurrentCulture, Messages.ListenerNotFound, what));
}
