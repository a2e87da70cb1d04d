package org.mailwright;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * SendCloud's {@code X-SMTPAPI} header: recipients ({@code to}, at most 100),
 * substitution variables ({@code sub}, one value per recipient), sections and
 * tracking filters. The core validates it when the message is built.
 */
public final class XSmtpApi {
    final List<String[]> ops = new ArrayList<>();

    public XSmtpApi to(String... addresses) {
        for (String a : addresses) {
            ops.add(new String[] {"xTo", Objects.requireNonNull(a, "address")});
        }
        return this;
    }

    public XSmtpApi to(List<String> addresses) {
        return to(addresses.toArray(new String[0]));
    }

    /** A substitution variable (e.g. {@code "%name%"}) with one value per recipient. */
    public XSmtpApi sub(String variable, List<String> values) {
        StringBuilder arg = new StringBuilder(Message.Builder.text(variable, "variable"));
        for (String v : Objects.requireNonNull(values, "values")) {
            arg.append('\0').append(Message.Builder.text(v, "sub value"));
        }
        ops.add(new String[] {"xSub", arg.toString()});
        return this;
    }

    public XSmtpApi section(String name, String value) {
        ops.add(new String[] {"xSection", Message.Builder.join(name, value)});
        return this;
    }

    /** Tracking filters: {@code null} leaves one unset. */
    public XSmtpApi tracking(Boolean open, Boolean click, Boolean subscription) {
        ops.add(new String[] {"xTracking", flag(open) + "\0" + flag(click) + "\0" + flag(subscription)});
        return this;
    }

    public XSmtpApi openTracking(boolean on) {
        return tracking(on, null, null);
    }

    public XSmtpApi clickTracking(boolean on) {
        return tracking(null, on, null);
    }

    public XSmtpApi subscriptionTracking(boolean on) {
        return tracking(null, null, on);
    }

    private static String flag(Boolean b) {
        return b == null ? "-" : b ? "1" : "0";
    }
}
