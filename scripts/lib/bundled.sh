# What Alt+1 / Alt+2 copy from the bundled cards (data/), for the scripts
# that drive the window. Source it.
# shellcheck disable=SC2034
QUEUE_1='对不起,刚开始取号的时候服务不好,导致拿错号等了这么久。'
QUEUE_2='等这里VIP窗口的客户完成业务后会立即为您做。你能看到吗?'
REVIEW_1='你好!我是大堂经理。很抱歉打扰你。我看到你对我们刚才的服务不满意。原因是什么?'
