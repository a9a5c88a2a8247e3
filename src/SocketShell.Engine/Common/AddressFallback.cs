namespace SocketShell.Common;

/// <summary>
/// The one rule for a target whose name resolved to several addresses, shared by Test-Port
/// (<see cref="Scan.PortScanner"/>), Connect-Socket (<see cref="Client.SocketClient"/>) and Send-Datagram
/// (<see cref="Udp.DatagramSender"/>): the addresses are tried in the resolver's order; an address that
/// answers ends the search and is the result; an address that does not answer passes the target on to the
/// next address; when none answers, the most telling failure is reported.
/// Pure: no sockets, no clocks; tested on its own.
/// </summary>
internal static class AddressFallback
{
    /// <summary>
    /// Whether the next address is tried after the attempt on address <paramref name="index"/> of
    /// <paramref name="count"/>: only when that address did not answer and another one is left.
    /// </summary>
    public static bool TriesNext(bool answered, int index, int count) => !answered && index + 1 < count;

    /// <summary>
    /// Of the failure kept so far and a new one, the one to keep: the higher <paramref name="candidateRank"/>
    /// (how telling it is, e.g. a refusal says more than silence); at equal rank, the earlier one
    /// (<see cref="FallbackTie.Earlier"/>) or the later one (<see cref="FallbackTie.Later"/>).
    /// </summary>
    public static T MoreTelling<T>(T? kept, int keptRank, T candidate, int candidateRank, FallbackTie tie)
        where T : class
    {
        if (kept is null || candidateRank > keptRank)
        {
            return candidate;
        }

        return candidateRank == keptRank && tie == FallbackTie.Later ? candidate : kept;
    }
}
