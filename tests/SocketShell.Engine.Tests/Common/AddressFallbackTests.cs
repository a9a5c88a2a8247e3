using System.Net;
using SocketShell.Common;
using SocketShell.Scan;

namespace SocketShell.Engine.Tests.Common;

/// <summary>The across-addresses rule on its own: no sockets, no DNS.</summary>
public class AddressFallbackTests
{
    [Theory]
    [InlineData(true, 0, 2, false)]   // answered: done
    [InlineData(false, 0, 2, true)]   // first of two failed: the second is tried
    [InlineData(false, 1, 2, false)]  // the last failed: nothing left
    [InlineData(false, 0, 1, false)]  // a single address
    [InlineData(true, 0, 1, false)]
    public void The_next_address_is_tried_only_after_a_failure_when_one_is_left(bool answered, int index, int count, bool expected)
        => Assert.Equal(expected, AddressFallback.TriesNext(answered, index, count));

    [Fact]
    public void The_first_failure_is_kept_when_nothing_is_kept_yet()
        => Assert.Equal("a", AddressFallback.MoreTelling<string>(null, 0, "a", 0, FallbackTie.Earlier));

    [Theory]
    [InlineData(false, "first")]
    [InlineData(true, "second")]
    public void At_equal_rank_the_tie_decides(bool later, string expected)
        => Assert.Equal(expected, AddressFallback.MoreTelling("first", 0, "second", 0, later ? FallbackTie.Later : FallbackTie.Earlier));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_more_telling_failure_wins_whatever_the_tie_and_a_less_telling_one_never_does(bool later)
    {
        FallbackTie tie = later ? FallbackTie.Later : FallbackTie.Earlier;
        Assert.Equal("refused", AddressFallback.MoreTelling("silent", 0, "refused", 1, tie));
        Assert.Equal("refused", AddressFallback.MoreTelling("refused", 1, "silent", 0, tie));
    }

    public static TheoryData<PortState[], PortState, int> ScanSequences => new()
    {
        // Test-Port across ::1 then 127.0.0.1 (and more): the answer and which address gave it.
        { [PortState.Open], PortState.Open, 0 },
        { [PortState.Closed, PortState.Open], PortState.Open, 1 },
        { [PortState.TimedOut, PortState.Closed], PortState.Closed, 1 },            // a refusal beats silence
        { [PortState.Closed, PortState.TimedOut], PortState.Closed, 0 },
        { [PortState.Closed, PortState.Closed], PortState.Closed, 0 },              // the first refusal
        { [PortState.TimedOut, PortState.Unreachable], PortState.TimedOut, 0 },     // else the first address's failure
        { [PortState.Unreachable, PortState.TimedOut, PortState.Closed], PortState.Closed, 2 },
        { [PortState.Unreachable, PortState.Open, PortState.Closed], PortState.Open, 1 }, // stops at the first answer
    };

    [Theory]
    [MemberData(nameof(ScanSequences))]
    public void Test_Port_reports_the_open_address_else_the_first_refusal_else_the_first_failure(PortState[] outcomes, PortState expected, int fromAddress)
    {
        // The same steps PortScanner.Conclude takes, over made-up outcomes.
        PortStatus? best = null;
        PortStatus result;
        int i = 0;
        while (true)
        {
            var status = new PortStatus { Port = 1, Status = outcomes[i], RemoteIP = new IPAddress(new byte[] { 127, 0, 0, (byte)(i + 1) }) };
            bool answered = status.Status == PortState.Open;
            if (answered)
            {
                result = status;
                break;
            }

            best = AddressFallback.MoreTelling(best, PortScanner.FailureRank(best), status, PortScanner.FailureRank(status), FallbackTie.Earlier);
            if (!AddressFallback.TriesNext(answered, i, outcomes.Length))
            {
                result = best;
                break;
            }

            i++;
        }

        Assert.Equal(expected, result.Status);
        Assert.Equal(new IPAddress(new byte[] { 127, 0, 0, (byte)(fromAddress + 1) }), result.GetRemoteAddress());
    }
}
