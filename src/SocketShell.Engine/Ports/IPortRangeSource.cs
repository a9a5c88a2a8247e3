namespace SocketShell.Ports;

/// <summary>Where the operating system keeps its ephemeral and reserved port ranges.</summary>
public interface IPortRangeSource
{
    /// <summary>The ranges the OS hands out for outgoing connections (one per protocol when they differ).</summary>
    IReadOnlyList<PortRange> GetEphemeralRanges();

    /// <summary>Ranges the OS reserves or excludes (may be empty).</summary>
    IReadOnlyList<PortRange> GetReservedRanges();
}
