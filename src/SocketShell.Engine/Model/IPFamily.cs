namespace SocketShell;

/// <summary>Which address family a cmdlet may use when it resolves or binds an address.</summary>
public enum IPFamily
{
    /// <summary>Every resolved address, in the order the resolver gave them.</summary>
    Any = 0,

    /// <summary>IPv4 addresses only.</summary>
    IPv4 = 1,

    /// <summary>IPv6 addresses only.</summary>
    IPv6 = 2,
}
