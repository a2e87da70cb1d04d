package org.mailwright;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * SendCloud's {@code X-SMTPAPI} header: recipients ({@code to}), substitution
 * variables ({@code sub}, one value per recipient), sections and tracking
 * filters. The core validates it (limits included) when the message is built.
 * Not thread-safe.
 */
public final class XSmtpApi {
    private final List<DraftStep> steps = new ArrayList<>();

    /** An empty header. */
    public XSmtpApi() {}

    /** Recipients of the mailing. */
    public XSmtpApi to(String... addresses) {
        for (String a : Objects.requireNonNull(addresses, "addresses")) {
            String address = Objects.requireNonNull(a, "address");
            steps.add(d -> Native.builderXSmtpApiTo(d, address));
        }
        return this;
    }

    /** Recipients of the mailing. */
    public XSmtpApi to(List<String> addresses) {
        return to(addresses.toArray(new String[0]));
    }

    /** A substitution variable (e.g. {@code "%name%"}) with one value per recipient. */
    public XSmtpApi sub(String variable, List<String> values) {
        String v = Objects.requireNonNull(variable, "variable");
        String[] list = Objects.requireNonNull(values, "values").toArray(new String[0]);
        for (String value : list) {
            Objects.requireNonNull(value, "sub value");
        }
        steps.add(d -> Native.builderXSmtpApiSub(d, v, list));
        return this;
    }

    /** A section (a named block of text substituted in the body). */
    public XSmtpApi section(String name, String value) {
        String n = Objects.requireNonNull(name, "name");
        String v = Objects.requireNonNull(value, "value");
        steps.add(d -> Native.builderXSmtpApiSection(d, n, v));
        return this;
    }

    /** Tracking filters: {@code null} leaves one unset. */
    public XSmtpApi tracking(Boolean open, Boolean click, Boolean subscription) {
        if (open != null) {
            openTracking(open);
        }
        if (click != null) {
            clickTracking(click);
        }
        if (subscription != null) {
            subscriptionTracking(subscription);
        }
        return this;
    }

    /** The open-tracking filter. */
    public XSmtpApi openTracking(boolean on) {
        steps.add(d -> Native.builderXSmtpApiOpenTracking(d, on));
        return this;
    }

    /** The click-tracking filter. */
    public XSmtpApi clickTracking(boolean on) {
        steps.add(d -> Native.builderXSmtpApiClickTracking(d, on));
        return this;
    }

    /** The subscription-tracking filter. */
    public XSmtpApi subscriptionTracking(boolean on) {
        steps.add(d -> Native.builderXSmtpApiSubscriptionTracking(d, on));
        return this;
    }

    void applyTo(long draft) {
        DraftStep.replay(steps, draft);
    }
}
