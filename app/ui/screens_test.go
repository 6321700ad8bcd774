package ui

import (
	"image"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/app/lan"
	"github.com/sockstray/sockstray/core/stats"
)

func TestThroughputGraphReceivesPoints(t *testing.T) {
	w, c := newWindow(t)
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	conn := controltest.Dial(t, c.State().Addr, controltest.Echo(t))
	defer conn.Close()
	w.ShowTab(TabThroughput)
	// The engine ticks once a second; traffic in the meantime shows up.
	eventually(t, "two points with traffic", func() bool {
		conn.Write(make([]byte, 1000))
		w.sample()
		ps := w.Throughput.Graph.Points()
		return len(ps) >= 2 && peak(ps) > 0
	})
	if !strings.Contains(w.Throughput.Totals.Text, "B") || !strings.HasPrefix(w.Throughput.Current.Text, "Now: ↑ ") {
		t.Errorf("figures %q %q", w.Throughput.Current.Text, w.Throughput.Totals.Text)
	}
	img := w.Win.Canvas().Capture()
	if img.Bounds().Empty() {
		t.Fatal("nothing rendered")
	}
}

func TestGraphScaleAndSpan(t *testing.T) {
	test.NewTempApp(t)
	g := NewGraph(time.Minute)
	now := time.Now()
	var ps []stats.Point
	for i := range 600 {
		v := 1000.0
		if i == 10 { // nine and a half minutes ago: outside a 1-minute span
			v = 40e6
		}
		ps = append(ps, stats.Point{Time: now.Add(time.Duration(i-599) * time.Second), Up: v, Down: 2 * v})
	}
	g.SetPoints(ps)
	if g.Top() != 2000 || len(g.visible()) != 60 {
		t.Errorf("1 min: top %v, %d points", g.Top(), len(g.visible()))
	}
	g.SetSpan(10 * time.Minute)
	if g.Top() != 1e8 || len(g.visible()) != 600 {
		t.Errorf("10 min: top %v, %d points", g.Top(), len(g.visible()))
	}
	win := test.NewWindow(g)
	defer win.Close()
	win.Resize(fyne.NewSize(500, 300))
	r := test.WidgetRenderer(g).(*graphRenderer)
	if r.yLabels[0].Text != "100 MB/s" || r.xLabels[0].Text != "-10m" {
		t.Errorf("axis labels %q %q", r.yLabels[0].Text, r.xLabels[0].Text)
	}
	img := r.draw(400, 200).(*image.NRGBA)
	if !hasColor(img, colorDown) || !hasColor(img, colorUp) {
		t.Error("a series is not drawn")
	}
	for _, tc := range []struct{ in, want float64 }{{0, 1000}, {1001, 2000}, {2500, 5000}, {5000, 5000}, {7e6, 1e7}} {
		if got := niceCeil(tc.in); got != tc.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func hasColor(img *image.NRGBA, c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r0, g0, b0, _ := c.RGBA()
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r == r0 && g == g0 && b == b0 {
				return true
			}
		}
	}
	return false
}

func TestLANListsAddressesAndRendersQR(t *testing.T) {
	w, c := newWindow(t)
	p := c.Active()
	p.Allow = []netip.Prefix{netip.MustParsePrefix("192.168.7.0/24")}
	if addrs, _ := lan.Addrs(p); len(addrs) == 0 {
		p.LANInterface = "127.0.0.1" // a host with no LAN: share on loopback instead
	}
	if err := c.SaveProfile(p.Name, p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	settle(w) // the window hears of it on its event loop
	w.ShowTab(TabLAN)
	l := w.LAN
	if l.QRImage() != nil {
		t.Error("a QR code before sharing")
	}
	test.Tap(l.Share)
	settle(w)
	if !c.Active().ShareOnLAN || !l.Share.Checked {
		t.Fatalf("not shared: %v", c.State().Err)
	}
	want, _ := lan.Addrs(c.Active())
	if len(l.Addrs.Options) == 0 || strings.Join(l.Addrs.Options, ",") != strings.Join(want, ",") {
		t.Fatalf("addresses %v, want %v", l.Addrs.Options, want)
	}
	if l.Addrs.Selected != want[0] || !strings.HasPrefix(l.Link.Text, "socks5://") || !strings.Contains(l.Link.Text, want[0]) {
		t.Errorf("selected %q link %q", l.Addrs.Selected, l.Link.Text)
	}
	img := l.QRImage()
	if img == nil || img.Bounds().Dx() < 100 {
		t.Fatal("no QR code")
	}
	if !strings.Contains(l.Allow.Text, "192.168.7.0/24") || l.Auth.Text != "Authentication: off" || l.Warning.Text != "" {
		t.Errorf("auth %q allow %q warning %q", l.Auth.Text, l.Allow.Text, l.Warning.Text)
	}
	test.Tap(l.Copy)
	if got := fyne.CurrentApp().Clipboard().Content(); got != want[0] {
		t.Errorf("copied %q", got)
	}
	// An open share warns.
	p = c.Active()
	p.Allow, p.Open = nil, true
	if err := c.SaveProfile(p.Name, p, control.Secrets{}); err != nil {
		t.Fatal(err)
	}
	settle(w) // the window hears of it on its event loop
	if !strings.Contains(l.Warning.Text, "open") {
		t.Errorf("no warning for an open share: %q", l.Warning.Text)
	}
	// LAN clients connected now, one line per host.
	l.Update(synthetic(3))
	if n := len(l.ClientList()); n != 3 {
		t.Errorf("%d LAN clients", n)
	}
	test.Tap(l.Share)
	settle(w)
	if c.Active().ShareOnLAN || l.QRImage() != nil {
		t.Error("still shared")
	}
}

func TestLogScreenAndLevels(t *testing.T) {
	w, c := newWindow(t)
	c.Logger().Info("hello from the test")
	c.Logger().Error("it broke")
	w.ShowTab(TabLog)
	w.sample()
	lines := w.Log.Lines()
	if len(lines) < 2 || !strings.Contains(lines[len(lines)-1].Text, "it broke") {
		t.Fatalf("lines %+v", lines)
	}
	w.Log.Level.SetSelected("Errors")
	for _, l := range w.Log.Lines() {
		if l.Level < slog.LevelError {
			t.Errorf("filter kept %+v", l)
		}
	}
}

func TestStatusBarAndBannerShowErrors(t *testing.T) {
	w, c := newWindow(t)
	test.Tap(w.Status.Proxy)
	settle(w)
	if !c.State().Running || !strings.HasPrefix(w.Status.Text.Text, "On at "+c.State().Addr) {
		t.Fatalf("status %q", w.Status.Text.Text)
	}
	test.Tap(w.Status.Proxy)
	settle(w)
	if c.State().Running {
		t.Fatal("still on")
	}
	ln, err := net.Listen("tcp", c.State().Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	test.Tap(w.Status.Proxy)
	settle(w)
	if w.Status.Proxy.Checked || !strings.Contains(w.Status.Text.Text, "port already in use") {
		t.Errorf("after a failed start: checked %v, %q", w.Status.Proxy.Checked, w.Status.Text.Text)
	}
	if shown, n := w.Banner.Visible(); !shown || n.Level != slog.LevelError || !strings.Contains(n.Text, "in use") {
		t.Errorf("banner %v %+v", shown, n)
	}
}
